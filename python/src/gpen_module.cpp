// gpen._gpen: the pybind11 layer over the C++ library. The Pythonic API lives in gpen/__init__.py.

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>

#include "gpen/gpen.hpp"

namespace py = pybind11;

namespace {

gpen::RestoreParams params_from(const py::dict& d) {
  gpen::RestoreParams p;
  for (const auto& item : d) {
    const std::string key = py::str(item.first);
    const py::handle v = item.second;
    if (key == "strength") p.strength = v.cast<float>();
    else if (key == "mode") p.mode = gpen::parse_mode(v.cast<std::string>());
    else if (key == "denoise") p.denoise = v.cast<float>();
    else if (key == "sharpen") p.sharpen = v.cast<float>();
    else if (key == "only_center_face") p.only_center_face = v.cast<bool>();
    else if (key == "max_faces") p.max_faces = v.cast<int>();
    else if (key == "min_face_size") p.min_face_size = v.cast<float>();
    else if (key == "upscale") p.upscale = v.cast<int>();
    else throw gpen::Error(gpen::ErrorCode::InvalidArgument, "unknown restore parameter '" + key + "'");
  }
  p.validate();
  return p;
}

py::dict params_to(const gpen::RestoreParams& p) {
  py::dict d;
  d["strength"] = p.strength;
  d["mode"] = gpen::mode_name(p.mode);
  d["denoise"] = p.denoise;
  d["sharpen"] = p.sharpen;
  d["only_center_face"] = p.only_center_face;
  d["max_faces"] = p.max_faces;
  d["min_face_size"] = p.min_face_size;
  d["upscale"] = p.upscale;
  return d;
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
  }
  return out;
}

class PyRestorer {
 public:
  PyRestorer(const std::string& model, const std::string& device, const std::string& detector, int threads,
             const std::string& precision, int max_batch, int detection_max_side, int memory_limit_mb,
             bool warmup, const std::string& photo_ops) {
    gpen::RestorerOptions o;
    o.model_path = model;
    o.device = device;
    o.detector = detector;
    o.threads = threads;
    o.precision = gpen::parse_precision(precision);
    o.max_batch = max_batch;
    o.detection_max_side = detection_max_side;
    o.memory_limit_mb = memory_limit_mb;
    o.warmup = warmup;
    o.photo_ops = gpen::parse_photo_ops(photo_ops);
    restorer_ = std::make_unique<gpen::Restorer>(o);
  }

  py::dict memory_stats() const {
    const gpen::MemoryStats m = restorer_->memory_stats();
    py::dict d;
    d["device_memory"] = m.device_memory;
    d["allocated_bytes"] = m.allocated_bytes;
    d["reserved_bytes"] = m.reserved_bytes;
    d["peak_allocated_bytes"] = m.peak_allocated_bytes;
    d["peak_reserved_bytes"] = m.peak_reserved_bytes;
    d["total_bytes"] = m.total_bytes;
    return d;
  }

  py::dict model_info() const {
    const gpen::ModelInfo& m = restorer_->model();
    py::dict d;
    d["path"] = m.path;
    d["architecture"] = m.architecture;
    d["size"] = m.size;
    d["channel_multiplier"] = m.channel_multiplier;
    d["narrow"] = m.narrow;
    d["random_weights"] = m.random_weights;
    d["exporter_version"] = m.exporter_version;
    return d;
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
    gpen::BatchOptions o;
    for (const auto& item : batch) {
      const std::string key = py::str(item.first);
      const py::handle v = item.second;
      if (key == "output_dir") o.output_dir = v.cast<std::string>();
      else if (key == "recursive") o.recursive = v.cast<bool>();
      else if (key == "extensions") o.extensions = v.cast<std::vector<std::string>>();
      else if (key == "skip_existing") o.skip_existing = v.cast<bool>();
      else if (key == "format") o.format = v.cast<std::string>();
      else if (key == "quality") o.quality = v.cast<int>();
      else if (key == "readers") o.readers = v.cast<int>();
      else if (key == "writers") o.writers = v.cast<int>();
      else if (key == "queue_capacity") o.queue_capacity = v.cast<int>();
      else if (key == "aligned") o.aligned = v.cast<bool>();
      else if (key == "save_faces") o.save_faces = v.cast<bool>();
      else throw gpen::Error(gpen::ErrorCode::InvalidArgument, "unknown batch option '" + key + "'");
    }
    const gpen::RestoreParams p = params_from(params);
    gpen::BatchProcessor processor(*restorer_, o);
    py::object callback_error = py::none();
    gpen::BatchProgressCallback callback = [&](const gpen::BatchProgress& bp) {
      py::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) {  // Ctrl-C / notebook interrupt: stop cleanly
        callback_error = py::reinterpret_steal<py::object>(PyErr_GetRaisedException_compat());
        processor.cancel();
        return;
      }
      if (progress.is_none() || !callback_error.is_none()) return;
      try {
        py::dict d;
        d["done"] = bp.done;
        d["failed"] = bp.failed;
        d["skipped"] = bp.skipped;
        d["total"] = bp.total;
        d["faces"] = bp.faces;
        d["elapsed"] = bp.elapsed_s;
        d["eta"] = bp.eta_s;
        d["file"] = bp.file ? bp.file->input : std::string();
        d["status"] = bp.file ? gpen::file_status_name(bp.file->status) : "";
        progress(d);
      } catch (py::error_already_set& e) {
        e.restore();
        callback_error = py::reinterpret_steal<py::object>(PyErr_GetRaisedException_compat());
        processor.cancel();
      }
    };
    gpen::BatchReport r;
    {
      py::gil_scoped_release release;
      r = processor.run(inputs, p, callback);
    }
    if (!callback_error.is_none()) {
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(callback_error.ptr())), callback_error.ptr());
      throw py::error_already_set();
    }
    py::list files;
    for (const gpen::FileReport& f : r.files) {
      py::dict d;
      d["input"] = f.input;
      d["output"] = f.output;
      d["status"] = gpen::file_status_name(f.status);
      d["error"] = f.error;
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

 private:
  // The pending Python exception as a new reference (PyErr_Fetch based, for Python < 3.12).
  static PyObject* PyErr_GetRaisedException_compat() {
    PyObject *type, *value, *trace;
    PyErr_Fetch(&type, &value, &trace);
    PyErr_NormalizeException(&type, &value, &trace);
    if (trace) PyException_SetTraceback(value, trace);
    Py_XDECREF(type);
    Py_XDECREF(trace);
    return value;
  }

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
      PyErr_SetObject(cls.ptr(), py::make_tuple(e.what(), gpen::error_code_name(e.code())).ptr());
    }
  });

  m.def("preset", [](const std::string& name) { return params_to(gpen::preset(name)); },
        "The parameters of a named preset, as a dict.");
  m.def("preset_names", &gpen::preset_names);
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

  py::class_<PyRestorer>(m, "Restorer")
      .def(py::init<const std::string&, const std::string&, const std::string&, int, const std::string&, int, int,
                    int, bool, const std::string&>(),
           py::arg("model"), py::arg("device"), py::arg("detector"), py::arg("threads"), py::arg("precision"),
           py::arg("max_batch"), py::arg("detection_max_side"), py::arg("memory_limit_mb"), py::arg("warmup"),
           py::arg("photo_ops"))
      .def("memory_stats", &PyRestorer::memory_stats)
      .def_property_readonly("model_info", &PyRestorer::model_info)
      .def_property_readonly("has_model", &PyRestorer::has_model)
      .def("restore", &PyRestorer::restore)
      .def("restore_faces", &PyRestorer::restore_faces)
      .def("detect", &PyRestorer::detect)
      .def("restore_files", &PyRestorer::restore_files);
}
