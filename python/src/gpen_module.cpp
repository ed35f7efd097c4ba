// gpen._gpen: the pybind11 layer over the C++ library. The Pythonic API lives in gpen/__init__.py.

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include "gpen/gpen.hpp"
#include "gpen/param_table.hpp"

namespace py = pybind11;

namespace {

// Text from the library that may hold a file name: decoded as os.fsdecode does (UTF-8, other
// bytes as surrogates), so a non-UTF-8 name reaches Python intact instead of failing to convert.
py::str os_text(const std::string& text) {
  PyObject* s = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "surrogateescape");
  if (s == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(s);
}

// ---- Parameters: Python values <-> the parameter table's text form (gpen/param_table.hpp).
// Every keyword of every struct goes through here; nothing is spelled per parameter.

std::string as_text(const gpen::ParamInfo& info, const py::handle& v) {
  switch (info.kind) {
    case gpen::ParamKind::Bool: return v.cast<bool>() ? "true" : "false";
    case gpen::ParamKind::Int: return std::string(py::str(v));  // any size: the core says what is out of range
    case gpen::ParamKind::Float: {
      char buffer[64];  // shortest text that reads back the same double
      const auto r = std::to_chars(buffer, buffer + sizeof buffer, v.cast<double>());
      return std::string(buffer, r.ptr);
    }
    case gpen::ParamKind::TextList: return gpen::param_list_text(v.cast<std::vector<std::string>>());
    default: return v.cast<std::string>();
  }
}

py::object as_python(const gpen::ParamInfo& info, const std::string& text) {
  switch (info.kind) {
    case gpen::ParamKind::Bool: return py::bool_(text == "true");
    case gpen::ParamKind::Int: return py::int_(std::stoll(text));
    case gpen::ParamKind::Float: return py::float_(static_cast<double>(std::strtof(text.c_str(), nullptr)));
    case gpen::ParamKind::TextList: return py::cast(gpen::param_list_items(text));
    default: return os_text(text);
  }
}

template <typename Struct>
Struct from_dict(const py::dict& d, gpen::ParamGroup group) {
  Struct s;
  for (const auto& item : d) {
    const std::string key = py::str(item.first);
    const gpen::ParamInfo* info = gpen::find_param(key);
    if (!info || info->group != group) {
      throw gpen::Error(gpen::ErrorCode::InvalidArgument,
                        "unknown " + std::string(gpen::param_group_name(group)) + " parameter '" + key + "'");
    }
    gpen::set_param(s, key, as_text(*info, item.second));
  }
  return s;
}

template <typename Struct>
py::dict to_dict(const Struct& s, gpen::ParamGroup group) {
  py::dict d;
  for (const gpen::ParamInfo& info : gpen::param_table()) {
    if (info.group == group) d[py::str(info.name)] = as_python(info, gpen::get_param(s, info.name));
  }
  return d;
}

gpen::RestoreParams params_from(const py::dict& d) {
  const gpen::RestoreParams p = from_dict<gpen::RestoreParams>(d, gpen::ParamGroup::Restore);
  p.validate();
  return p;
}

py::dict params_to(const gpen::RestoreParams& p) { return to_dict(p, gpen::ParamGroup::Restore); }

py::list param_table() {
  py::list out;
  for (const gpen::ParamInfo& info : gpen::param_table()) {
    py::dict d;
    d["name"] = info.name;
    d["group"] = gpen::param_group_name(info.group);
    d["kind"] = gpen::param_kind_name(info.kind);
    d["min"] = info.min;
    d["max"] = info.max;
    d["choices"] = info.choices;
    d["default"] = as_python(info, info.default_value);
    d["doc"] = info.doc;
    out.append(d);
  }
  return out;
}

// A numpy image (H x W, or H x W x C with C in 1, 3, 4; uint8 or uint16) as a view; `keep`
// holds a contiguous copy when the array was not one.
gpen::ImageView view_of(const py::array& array, bool rgb, py::array& keep) {
  if (array.ndim() != 2 && array.ndim() != 3) {
    throw gpen::Error(gpen::ErrorCode::InvalidImage,
                      "image must be a H x W or H x W x C array, got " + std::to_string(array.ndim()) + " dimensions");
  }
  const bool deep = array.dtype().is(py::dtype::of<uint16_t>());
  if (!deep && !array.dtype().is(py::dtype::of<uint8_t>())) {
    throw gpen::Error(gpen::ErrorCode::InvalidImage,
                      "image must be uint8 or uint16, got dtype " + std::string(py::str(array.dtype())));
  }
  keep = deep ? py::array(py::array_t<uint16_t, py::array::c_style | py::array::forcecast>::ensure(array))
              : py::array(py::array_t<uint8_t, py::array::c_style | py::array::forcecast>::ensure(array));
  gpen::ImageView v;
  v.data = keep.data();
  v.height = static_cast<int>(keep.shape(0));
  v.width = static_cast<int>(keep.shape(1));
  v.channels = keep.ndim() == 3 ? static_cast<int>(keep.shape(2)) : 1;
  v.depth = deep ? 16 : 8;
  v.stride = static_cast<std::size_t>(keep.strides(0));
  v.order = rgb ? gpen::ColorOrder::RGB : gpen::ColorOrder::BGR;
  return v;
}

py::array to_numpy(const gpen::Image& image) {
  if (image.empty()) return py::none();
  std::vector<py::ssize_t> shape = {image.height(), image.width()};
  if (image.channels() > 1) shape.push_back(image.channels());
  py::array_t<uint8_t> out(shape);
  std::memcpy(out.mutable_data(), image.data(), image.size_bytes());
  return std::move(out);
}

py::dict face_to_dict(const gpen::FaceResult& f, bool with_crops) {
  const gpen::DetectedFace& d = f.detection;
  py::dict out;
  out["box"] = py::make_tuple(d.box.x, d.box.y, d.box.width, d.box.height);
  out["score"] = d.score;
  py::list marks;
  for (const gpen::Point& p : d.landmarks) marks.append(py::make_tuple(p.x, p.y));
  out["landmarks"] = marks;
  out["affine"] = py::make_tuple(f.affine[0], f.affine[1], f.affine[2], f.affine[3], f.affine[4], f.affine[5]);
  if (with_crops) {
    out["crop"] = to_numpy(f.aligned);
    out["restored"] = to_numpy(f.restored);
    if (!f.mask.empty()) out["mask"] = to_numpy(f.mask);
  }
  return out;
}

// The pending Python exception as a new reference (PyErr_Fetch based, for Python < 3.12).
PyObject* PyErr_GetRaisedException_compat() {
  PyObject *type, *value, *trace;
  PyErr_Fetch(&type, &value, &trace);
  PyErr_NormalizeException(&type, &value, &trace);
  if (trace) PyException_SetTraceback(value, trace);
  Py_XDECREF(type);
  Py_XDECREF(trace);
  return value;
}

// A Python progress callback called from the library's threads. Ctrl-C (a pending signal) or an
// exception the callback raises is kept and `stop` asks the work to stop; once it has,
// raise_if_any() raises that exception in the caller.
class ProgressRelay {
 public:
  ProgressRelay(py::object progress, std::function<void()> stop) : progress_(std::move(progress)), stop_(std::move(stop)) {}

  void operator()(const std::function<py::dict()>& payload) {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) {
      keep();
      return;
    }
    if (progress_.is_none() || failed()) return;
    try {
      progress_(payload());
    } catch (py::error_already_set& e) {
      e.restore();
      keep();
    }
  }

  bool failed() const { return !error_.is_none(); }

  void raise_if_any() const {
    if (!failed()) return;
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error_.ptr())), error_.ptr());
    throw py::error_already_set();
  }

 private:
  void keep() {
    error_ = py::reinterpret_steal<py::object>(PyErr_GetRaisedException_compat());
    stop_();
  }

  py::object progress_;
  std::function<void()> stop_;
  py::object error_ = py::none();
};

class PyRestorer {
 public:
  explicit PyRestorer(const py::dict& options) {
    const gpen::RestorerOptions o = from_dict<gpen::RestorerOptions>(options, gpen::ParamGroup::Restorer);
    py::gil_scoped_release release;  // loading (and a download or conversion) can take a while
    restorer_ = std::make_unique<gpen::Restorer>(o);
  }

  py::dict memory_stats() const {
    const gpen::MemoryStats m = restorer_->memory_stats();
    return py::dict(py::arg("device_memory") = m.device_memory, py::arg("allocated_bytes") = m.allocated_bytes,
                    py::arg("reserved_bytes") = m.reserved_bytes, py::arg("peak_allocated_bytes") = m.peak_allocated_bytes,
                    py::arg("peak_reserved_bytes") = m.peak_reserved_bytes, py::arg("total_bytes") = m.total_bytes);
  }

  py::dict model_info() const {
    const gpen::ModelInfo& m = restorer_->model();
    return py::dict(py::arg("path") = os_text(m.path), py::arg("architecture") = m.architecture, py::arg("size") = m.size,
                    py::arg("channel_multiplier") = m.channel_multiplier, py::arg("narrow") = m.narrow,
                    py::arg("random_weights") = m.random_weights, py::arg("exporter_version") = m.exporter_version);
  }

  bool has_model() const { return restorer_->has_model(); }

  py::tuple restore(const py::array& image, bool rgb, const py::dict& params) {
    py::array keep;
    const gpen::ImageView v = view_of(image, rgb, keep);
    const gpen::RestoreParams p = params_from(params);
    gpen::Result r;
    {
      py::gil_scoped_release release;
      r = restorer_->restore(v, p);
    }
    py::list faces;
    for (const gpen::FaceResult& f : r.faces) faces.append(face_to_dict(f, true));
    return py::make_tuple(to_numpy(r.image), faces);
  }

  py::list restore_faces(const py::list& faces, bool rgb, const py::dict& params) {
    std::vector<py::array> keep(faces.size());
    std::vector<gpen::ImageView> views;
    for (std::size_t i = 0; i < faces.size(); ++i) views.push_back(view_of(faces[i].cast<py::array>(), rgb, keep[i]));
    const gpen::RestoreParams p = params_from(params);
    std::vector<gpen::Image> out;
    {
      py::gil_scoped_release release;
      out = restorer_->restore_faces(views, p);
    }
    py::list result;
    for (const gpen::Image& img : out) result.append(to_numpy(img));
    return result;
  }

  py::list detect(const py::array& image, bool rgb, const py::dict& params) {
    py::array keep;
    const gpen::ImageView v = view_of(image, rgb, keep);
    const gpen::RestoreParams p = params_from(params);
    std::vector<gpen::DetectedFace> found;
    {
      py::gil_scoped_release release;
      found = restorer_->detect(v, p);
    }
    py::list faces;
    for (const gpen::DetectedFace& d : found) {
      gpen::FaceResult f;
      f.detection = d;
      py::dict face = face_to_dict(f, false);
      face.attr("pop")("affine");
      faces.append(face);
    }
    return faces;
  }

  py::dict restore_files(const std::vector<std::string>& inputs, const py::dict& batch, const py::dict& params,
                         const py::object& progress) {
    return run_batch(batch, params, progress, [&inputs](gpen::BatchProcessor& processor, const gpen::RestoreParams& p,
                                                       const gpen::BatchProgressCallback& callback) {
      return processor.run(inputs, p, callback);
    });
  }

  // A plan made by plan_batch (on another machine): [(input, output), ...].
  py::dict restore_plan(const std::vector<std::pair<std::string, std::string>>& pairs, const py::dict& batch,
                        const py::dict& params, const py::object& progress) {
    std::vector<gpen::PlannedFile> plan;
    for (const auto& [input, output] : pairs) plan.push_back({input, output});
    return run_batch(batch, params, progress, [&plan](gpen::BatchProcessor& processor, const gpen::RestoreParams& p,
                                                     const gpen::BatchProgressCallback& callback) {
      return processor.run_plan(std::move(plan), p, callback);
    });
  }

 private:
  template <typename Run>
  py::dict run_batch(const py::dict& batch, const py::dict& params, const py::object& progress, Run run) {
    const gpen::BatchOptions o = from_dict<gpen::BatchOptions>(batch, gpen::ParamGroup::Batch);
    const gpen::RestoreParams p = params_from(params);
    gpen::BatchProcessor processor(*restorer_, o);
    ProgressRelay relay(progress, [&processor] { processor.cancel(); });  // files in flight finish
    gpen::BatchProgressCallback callback = [&](const gpen::BatchProgress& bp) {
      relay([&] {
        return py::dict(py::arg("done") = bp.done, py::arg("failed") = bp.failed, py::arg("skipped") = bp.skipped,
                        py::arg("total") = bp.total, py::arg("faces") = bp.faces, py::arg("elapsed") = bp.elapsed_s,
                        py::arg("eta") = bp.eta_s, py::arg("file") = os_text(bp.file ? bp.file->input : std::string()),
                        py::arg("status") = bp.file ? gpen::file_status_name(bp.file->status) : "",
                        py::arg("error") = os_text(bp.file ? bp.file->error : std::string()));
      });
    };
    gpen::BatchReport r;
    {
      py::gil_scoped_release release;
      r = run(processor, p, callback);
    }
    relay.raise_if_any();
    py::list files;
    for (const gpen::FileReport& f : r.files) {
      py::dict d;
      d["input"] = os_text(f.input);
      d["output"] = os_text(f.output);
      d["status"] = gpen::file_status_name(f.status);
      d["error"] = os_text(f.error);
      py::list faces;
      for (const gpen::FaceResult& face : f.faces) faces.append(face_to_dict(face, false));
      d["faces"] = faces;
      d["seconds"] = py::dict(py::arg("read") = f.read_s, py::arg("compute") = f.compute_s,
                              py::arg("write") = f.write_s);
      files.append(d);
    }
    py::dict out;
    out["files"] = files;
    out["restored"] = r.restored;
    out["failed"] = r.failed;
    out["skipped"] = r.skipped;
    out["cancelled"] = r.cancelled;
    out["faces"] = r.faces;
    out["wall_seconds"] = r.wall_s;
    out["compute_busy_fraction"] = r.compute_busy_fraction;
    out["model_calls"] = r.model_calls;
    return out;
  }

 public:
  py::dict restore_video(const std::string& input, const std::string& output, const py::dict& video,
                         const py::dict& params, const py::object& progress) {
    gpen::VideoOptions o = from_dict<gpen::VideoOptions>(video, gpen::ParamGroup::Video);
    gpen::RestoreParams p = params_from(params);
    std::atomic<bool> stop{false};
    p.should_stop = [&stop] { return stop.load(); };
    ProgressRelay relay(progress, [&stop] { stop = true; });  // stops at the next frame
    o.progress = [&](const gpen::VideoProgress& vp) {
      relay([&] {
        return py::dict(py::arg("frames_done") = vp.frames_done, py::arg("frames_total") = vp.frames_total,
                        py::arg("elapsed") = vp.elapsed_s, py::arg("eta") = vp.eta_s);
      });
    };
    gpen::VideoReport r;
    try {
      py::gil_scoped_release release;
      r = gpen::restore_video(*restorer_, input, output, p, o);
    } catch (const gpen::Error& e) {
      if (e.code() != gpen::ErrorCode::Cancelled || !relay.failed()) throw;
    }
    relay.raise_if_any();  // the callback's own exception, not the cancellation it caused
    py::dict out;
    out["output"] = os_text(r.output);
    out["frames"] = r.frames;
    out["faces"] = r.faces;
    out["frames_per_track"] = r.frames_per_track;
    out["copied_streams"] = r.copied_streams;
    out["damaged"] = r.damaged;
    out["width"] = r.width;
    out["height"] = r.height;
    out["detections"] = r.detections;
    out["resumed_frames"] = r.resumed_frames;
    out["model_calls"] = r.model_calls;
    out["seconds"] = r.seconds;
    out["stage_seconds"] = py::dict(py::arg("decode") = r.decode_s, py::arg("compute") = r.compute_s,
                                    py::arg("encode") = r.encode_s);
    out["compute_busy_fraction"] = r.compute_busy_fraction;
    return out;
  }

 private:
  std::unique_ptr<gpen::Restorer> restorer_;
};

}  // namespace

PYBIND11_MODULE(_gpen, m) {
  m.doc() = "Low-level bindings of the gpen C++ library; use the gpen package instead.";
  m.attr("__version__") = gpen::version();

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const gpen::Error& e) {
      py::object errors = py::module_::import("gpen.errors");
      py::object cls = errors.attr("error_class")(gpen::error_code_name(e.code()));
      PyErr_SetObject(cls.ptr(), py::make_tuple(os_text(e.what()), gpen::error_code_name(e.code())).ptr());
    }
  });

  m.def("preset", [](const std::string& name) { return params_to(gpen::preset(name)); },
        "The parameters of a named preset, as a dict.");
  m.def("preset_names", &gpen::preset_names);
  m.def("plan_batch", [](const std::vector<std::string>& inputs, const py::dict& batch) {
    const gpen::BatchOptions o = from_dict<gpen::BatchOptions>(batch, gpen::ParamGroup::Batch);
    py::list plan;
    for (const gpen::PlannedFile& f : gpen::plan_batch(inputs, o)) plan.append(py::make_tuple(os_text(f.input), os_text(f.output)));
    return plan;
  }, "[(input, output), ...]: the files a batch would restore and where each result goes.");
  m.def("param_table", &param_table, "Every parameter: name, group, kind, min, max, choices, default, doc.");
  m.def("read_image", [](const std::string& path) {
    gpen::Image img;
    {
      py::gil_scoped_release release;
      img = gpen::read_image(path);
    }
    return to_numpy(img);
  }, "Decode an image file (8-bit; BGR, BGRA or gray).");
  m.def("write_image", [](const std::string& path, const py::array& image, bool rgb, int quality) {
    py::array keep;
    const gpen::ImageView v = view_of(image, rgb, keep);
    py::gil_scoped_release release;
    gpen::write_image(path, v, quality);
  }, py::arg("path"), py::arg("image"), py::arg("rgb") = false, py::arg("quality") = 95);
  m.def("side_by_side", [](const py::array& before, bool before_rgb, const py::array& after, bool after_rgb) {
    py::array keep_before, keep_after;
    const gpen::ImageView b = view_of(before, before_rgb, keep_before);
    const gpen::ImageView a = view_of(after, after_rgb, keep_after);
    gpen::Image out;
    {
      py::gil_scoped_release release;
      out = gpen::side_by_side(b, a);
    }
    return to_numpy(out);
  }, "before | after at after's height, channels and colour order.");

  py::class_<PyRestorer>(m, "Restorer")
      .def(py::init<const py::dict&>(), py::arg("options"))
      .def("memory_stats", &PyRestorer::memory_stats)
      .def_property_readonly("model_info", &PyRestorer::model_info)
      .def_property_readonly("has_model", &PyRestorer::has_model)
      .def("restore", &PyRestorer::restore)
      .def("restore_faces", &PyRestorer::restore_faces)
      .def("detect", &PyRestorer::detect)
      .def("restore_files", &PyRestorer::restore_files)
      .def("restore_plan", &PyRestorer::restore_plan)
      .def("restore_video", &PyRestorer::restore_video);
}
