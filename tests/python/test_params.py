"""The parameter table from Python: every parameter of the C++ core is a keyword of the matching
call, typed in the .pyi, documented in the docstring, with the core's default."""

import ast
import os

import numpy as np
import pytest

gpen = pytest.importorskip("gpen")
if gpen._gpen is None:
    pytest.skip("SKIPPED: gpen's compiled extension is not built", allow_module_level=True)

PYI = os.path.join(os.path.dirname(gpen.__file__), "__init__.pyi")


def signature(tree, cls, name):
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls or cls is None and isinstance(node, ast.Module):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == name:
                    return {a.arg for a in item.args.args + item.args.kwonlyargs}
    raise AssertionError(f"{cls}.{name} not in the .pyi")


def test_table_has_every_group_and_the_cores_defaults():
    table = gpen.param_table()
    groups = {p["group"] for p in table.values()}
    assert groups == {"restore", "restorer", "batch", "video"}
    assert table["strength"]["default"] == 100.0 and table["strength"]["max"] == 100.0
    assert table["mode"]["choices"] == ["natural", "strong", "detail"]
    assert table["extensions"]["default"][:2] == ["jpg", "jpeg"]
    assert gpen.MODES == ("natural", "strong", "detail")
    assert gpen.preset("natural") == {n: p["default"] for n, p in table.items() if p["group"] == "restore"}


def test_every_parameter_is_typed_in_the_pyi():
    with open(PYI) as f:
        tree = ast.parse(f.read())
    restore = signature(tree, "Restorer", "restore")
    faces = signature(tree, "Restorer", "restore_faces")
    init = signature(tree, "Restorer", "__init__") | {"model_path"}
    files = signature(tree, None, "restore_files") | {"output_dir"}
    video = signature(tree, "Restorer", "restore_video")
    for name, p in gpen.param_table().items():
        where = {"restore": [restore, faces, video], "restorer": [init], "batch": [files], "video": [video]}[p["group"]]
        for sig in where:
            assert name in sig, f"{name} ({p['group']}) missing from a signature in __init__.pyi"


def test_every_parameter_is_documented_in_the_docstrings():
    for name, p in gpen.param_table().items():
        doc = {"restore": gpen.Restorer.restore.__doc__, "restorer": gpen.Restorer.__doc__,
               "batch": gpen.restore_files.__doc__, "video": gpen.Restorer.restore_video.__doc__}[p["group"]]
        assert f"{name}: {p['doc']}" in doc


def test_every_parameter_is_accepted_with_its_default(tmp_path):
    table = gpen.param_table()
    face = np.full((64, 64, 3), 128, np.uint8)
    restore = {n: p["default"] for n, p in table.items() if p["group"] == "restore"}
    r = gpen.Restorer()
    assert r.restore_faces([face], **restore)[0].shape == (512, 512, 3)
    for name, p in table.items():
        if p["group"] == "restorer":
            gpen.Restorer(**{name: p["default"]})
    batch = {n: p["default"] for n, p in table.items() if p["group"] == "batch" and n != "output_dir"}
    src = tmp_path / "in.png"
    gpen.write_image(str(src), face)
    report = gpen.restore_files([str(src)], str(tmp_path / "out"), restorer=r, **batch, **restore)
    assert report["restored"] == 1
    with pytest.raises(TypeError, match="unexpected keyword argument 'strenght'"):
        r.restore_faces([face], strenght=50)
