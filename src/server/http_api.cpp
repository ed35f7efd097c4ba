#include "server/http_api.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "gpen/compare.hpp"
#include "gpen/io.hpp"
#include "gpen/version.hpp"
#include "json/gpen_json.hpp"
#include "server/api_error.hpp"
#include "server/base64.hpp"
#include "server/request_params.hpp"
#include "server/ui_assets.hpp"

namespace gpen::server {

namespace fs = std::filesystem;
using json::Json;

namespace {

constexpr const char* kJson = "application/json";

void send_json(httplib::Response& res, const Json& body, int status = 200) {
  res.status = status;
  res.set_content(json::dump(body), kJson);
}

void send_error(httplib::Response& res, const ApiError& e) {
  res.status = e.status();
  res.set_content(error_body(e.code(), e.what()), kJson);
  if (e.status() == 503) res.set_header("Retry-After", "1");
}

ApiError upload_too_large(std::uint64_t max_bytes) {
  return ApiError(413, "too-large", "the upload is larger than " + std::to_string(max_bytes >> 20) +
                                        " MiB (the server's --max-upload-mb)");
}

ApiError unauthorized() {
  return ApiError(401, "unauthorized", "this server needs 'Authorization: Bearer <key>' (--api-key)");
}

std::string content_type_of(const std::string& format) {
  if (format == "jpg" || format == "jpeg") return "image/jpeg";
  if (format == "webp") return "image/webp";
  return "image/png";
}

// A request's body as received: the bytes, or the parts of a multipart body. Read through the
// handler's ContentReader, so that no body is parsed as a form by the HTTP library.
struct Body {
  std::string bytes;
  std::vector<httplib::MultipartFormData> parts;
};

Body read_body(const httplib::Request& req, const httplib::ContentReader& reader, std::size_t max_parts,
               std::uint64_t max_bytes) {
  Body body;
  std::size_t parts = 0;
  bool complete = false;
  if (req.is_multipart_form_data()) {
    // Every part is read (the payload limit bounds the total); extra parts are dropped and
    // refused afterwards, so the client gets an answer rather than a reset connection.
    complete = reader(
        [&](const httplib::MultipartFormData& part) {
          if (++parts <= max_parts) body.parts.push_back(part);
          return true;
        },
        [&](const char* data, std::size_t size) {
          if (parts <= max_parts) body.parts.back().content.append(data, size);
          return true;
        });
    if (parts > max_parts) {
      throw ApiError(400, "too-many-files", "the request has " + std::to_string(parts) + " parts; at most " +
                                                std::to_string(max_parts) + " are taken (the server's --max-job-files)");
    }
  } else {
    complete = reader([&](const char* data, std::size_t size) {
      body.bytes.append(data, size);
      return true;
    });
  }
  if (!complete) {
    // The HTTP library stops at the payload limit (and drains the rest unread into memory).
    if (!req.has_header("Content-Length") || req.get_header_value<std::uint64_t>("Content-Length") > max_bytes) {
      throw upload_too_large(max_bytes);
    }
    throw ApiError(400, "bad-body", "the request body could not be read (cut short, or malformed multipart)");
  }
  if (body.bytes.size() > max_bytes) throw upload_too_large(max_bytes);  // multipart framing has an allowance; bare bytes do not
  return body;
}

// The query string's parameters, then the text fields of a multipart body (parts that are not
// files, other than `file_field`).
std::vector<std::pair<std::string, std::string>> request_fields(const httplib::Request& req, const Body& body,
                                                                const char* file_field) {
  std::vector<std::pair<std::string, std::string>> fields(req.params.begin(), req.params.end());
  for (const httplib::MultipartFormData& part : body.parts) {
    if (part.name != file_field && part.filename.empty()) fields.emplace_back(part.name, part.content);
  }
  return fields;
}

}  // namespace

HttpApi::HttpApi(const ServerConfig& config)
    : config_(config),
      started_(std::chrono::steady_clock::now()),
      models_(config.restorer, config.models_dir),
      compute_(config.workers, config.queue) {
  ZipLimits limits;
  limits.max_files = config.max_job_files;
  limits.max_total_bytes = std::max<std::int64_t>(config.max_upload_bytes * 8, 1LL << 30);
  jobs_ = std::make_unique<JobManager>(config.jobs_dir, models_, limits, config.keep_jobs_hours,
                                       [this](long long faces, double s) { metrics_.add_job_work(faces, s); });
}

void HttpApi::shutdown() { jobs_->shutdown(); }

bool HttpApi::authorized(const httplib::Request& req) const {
  if (config_.api_key.empty() || req.path.rfind("/v1/", 0) != 0) return true;
  const std::string expected = "Bearer " + config_.api_key;
  const std::string given = req.get_header_value("Authorization");
  // Compared in time independent of where they differ.
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size() && i < expected.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
  return diff == 0;
}

void HttpApi::install(httplib::Server& server) {
  // Threads: the restore workers and their queue, plus room for UI, status and event streams.
  const std::size_t threads = static_cast<std::size_t>(config_.workers + config_.queue + 32);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Multipart framing on top of the largest upload; a larger body gets 413 unread.
  const std::uint64_t max_upload = static_cast<std::uint64_t>(config_.max_upload_bytes);
  const std::uint64_t payload_limit = max_upload + (1 << 20);
  server.set_payload_max_length(static_cast<std::size_t>(payload_limit));
  server.set_read_timeout(30);
  server.set_write_timeout(30);
  server.set_keep_alive_max_count(100);

  if (!config_.cors_origin.empty()) {
    server.set_default_headers({{"Access-Control-Allow-Origin", config_.cors_origin},
                                {"Access-Control-Expose-Headers", "X-Gpen-Faces, X-Gpen-Time-Ms, Retry-After"}});
    server.Options(R"(/.*)", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
      res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
      res.status = 204;
    });
  }
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "OPTIONS" || authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, unauthorized());
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_header("Connection", "close");  // a body, if any, is left unread: not the next request
    return httplib::Server::HandlerResponse::Handled;
  });
  // curl and browsers may ask first: refuse a too-large or unauthorised body before it is sent.
  server.set_expect_100_continue_handler([this, max_upload, payload_limit](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req)) {
      send_error(res, unauthorized());
      res.set_header("Connection", "close");  // the body is not sent: nothing else may follow
      return 401;
    }
    if (req.get_header_value<std::uint64_t>("Content-Length") > payload_limit) {
      send_error(res, upload_too_large(max_upload));
      res.set_header("Connection", "close");  // the body is not sent: nothing else may follow
      return 413;
    }
    return 100;
  });
  server.set_error_handler(httplib::Server::HandlerWithResponse([max_upload](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string message;
    switch (res.status) {
      case 404: message = "no such endpoint: " + req.method + " " + req.path; break;
      case 413: message = upload_too_large(max_upload).what(); break;
      default: message = "HTTP " + std::to_string(res.status) + " (" + status_code_name(res.status) + ")";
    }
    res.set_content(error_body(status_code_name(res.status), message), kJson);
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    try {
      std::rethrow_exception(ep);
    } catch (const ApiError& e) {
      send_error(res, e);
    } catch (const Error& e) {
      send_error(res, api_error_from(e));
    } catch (const std::exception& e) {
      send_error(res, ApiError(500, "internal", e.what()));
    } catch (...) {
      send_error(res, ApiError(500, "internal", "unknown error"));
    }
  });
  server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    metrics_.count_response(res.status);
    if (!config_.quiet) std::fprintf(stderr, "gpen-server: %s %s -> %d\n", req.method.c_str(), req.path.c_str(), res.status);
  });

  for (const UiAsset& asset : ui_assets()) {
    server.Get(asset.path == "/index.html" ? "/" : asset.path, [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_content(asset.data, asset.size, asset.content_type);
      res.set_header("Cache-Control", "no-cache");
    });
  }
  server.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/favicon.svg", 301); });
  server.Get("/health", [this](const httplib::Request&, httplib::Response& res) { health(res); });
  server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) { metrics(res); });
  server.Get("/v1/params", [](const httplib::Request&, httplib::Response& res) {
    Json presets = Json::object();
    for (const std::string& name : preset_names()) presets[name] = json::params_json(preset(name));
    send_json(res, {{"params", json::param_table_json()}, {"restore_fields", restore_request_names()}, {"presets", presets}});
  });
  server.Post("/v1/restore", [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& body) {
    restore(req, res, body);
  });
  server.Post("/v1/jobs", [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& body) {
    submit_job(req, res, body);
  });
  server.Get(R"(/v1/jobs/([0-9a-zA-Z]+))", [this](const httplib::Request& req, httplib::Response& res) {
    send_json(res, jobs_->status(req.matches[1]));
  });
  server.Get(R"(/v1/jobs/([0-9a-zA-Z]+)/events)", [this](const httplib::Request& req, httplib::Response& res) { job_events(req, res); });
  server.Get(R"(/v1/jobs/([0-9a-zA-Z]+)/result\.zip)", [this](const httplib::Request& req, httplib::Response& res) { job_result(req, res); });
  server.Delete(R"(/v1/jobs/([0-9a-zA-Z]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    const std::string state = jobs_->cancel_or_remove(id);
    send_json(res, {{"id", id}, {"state", state}});
  });
  server.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) { send_json(res, models_json()); });
  server.Put("/v1/model", [this](const httplib::Request& req, httplib::Response& res) { put_model(req, res); });
}

Json HttpApi::models_json() const {
  Json list = models_.list();
  list["options"] = json::params_json(models_.options());
  const MemoryStats memory = models_.current()->memory_stats();
  list["memory"] = {{"resident_bytes", resident_bytes()},
                    {"device_memory", memory.device_memory},
                    {"allocated_bytes", memory.allocated_bytes},
                    {"reserved_bytes", memory.reserved_bytes},
                    {"peak_reserved_bytes", memory.peak_reserved_bytes},
                    {"total_bytes", memory.total_bytes}};
  return list;
}

void HttpApi::health(httplib::Response& res) {
  const auto restorer = models_.current();
  Json model = nullptr;
  if (restorer->has_model()) {
    model = json::model_json(restorer->model());
    model["name"] = models_.current_name();
  }
  send_json(res, {{"status", "ok"},
                  {"version", version()},
                  {"model", model},
                  {"device", restorer->options().device},
                  {"precision", get_param(restorer->options(), "precision")},
                  {"workers", config_.workers},
                  {"queue", config_.queue},
                  {"max_upload_mb", config_.max_upload_bytes >> 20},
                  {"max_pixels", config_.max_pixels}});
}

void HttpApi::metrics(httplib::Response& res) {
  MetricsGauges g;
  g.restore_waiting = compute_.waiting();
  g.restore_active = compute_.active();
  g.jobs_queued = jobs_->pending();
  g.compute_busy_s = compute_.busy_seconds();
  g.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const MemoryStats memory = models_.current()->memory_stats();
  g.device_memory = memory.device_memory;
  g.device_allocated_bytes = memory.allocated_bytes;
  g.device_reserved_bytes = memory.reserved_bytes;
  res.set_content(metrics_.prometheus_text(g), "text/plain; version=0.0.4");
}

void HttpApi::restore(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
  const auto start = std::chrono::steady_clock::now();
  const Body body = read_body(req, reader, 64, static_cast<std::uint64_t>(config_.max_upload_bytes));
  const RestoreRequest request = parse_restore_request(request_fields(req, body, "image"));
  const std::string* bytes = &body.bytes;
  if (req.is_multipart_form_data()) {
    const auto it = std::find_if(body.parts.begin(), body.parts.end(), [](const auto& p) { return p.name == "image"; });
    if (it == body.parts.end()) throw ApiError(400, "no-image", "the multipart body has no 'image' field (the photo goes in field 'image')");
    bytes = &it->content;
  }
  if (bytes->empty()) {
    throw ApiError(400, "no-image", "the request has no image: send its bytes as the body, or multipart field 'image'");
  }
  Result result;
  std::vector<unsigned char> encoded;
  int width = 0;  // of the image sent: the result, or input | result with compare
  const bool ran = compute_.run([&] {
    const auto restorer = models_.current();
    const Image photo = decode_image(bytes->data(), bytes->size(), "the upload", config_.max_pixels);
    result = restorer->restore(photo.view(), request.params);
    if (request.compare) {
      const Image both = side_by_side(photo.view(), result.image.view());
      width = both.width();
      encoded = encode_image(both.view(), request.format, request.quality);
    } else {
      width = result.image.width();
      encoded = encode_image(result.image.view(), request.format, request.quality);
    }
  });
  if (!ran) throw ApiError(503, "busy", "the server is busy (its --queue is full); retry shortly");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.observe_restore(seconds, result.faces.size());
  const std::string ms = std::to_string(static_cast<long long>(seconds * 1000.0 + 0.5));
  res.set_header("X-Gpen-Faces", std::to_string(result.faces.size()));
  res.set_header("X-Gpen-Time-Ms", ms);
  if (request.json_response) {
    Json faces = Json::array();
    for (const FaceResult& f : result.faces) faces.push_back(json::face_json(f));
    send_json(res, {{"image", base64_encode(encoded.data(), encoded.size())},
                    {"format", request.format},
                    {"content_type", content_type_of(request.format)},
                    {"width", width},
                    {"height", result.image.height()},
                    {"faces", faces},
                    {"time_ms", std::stoll(ms)},
                    {"params", json::params_json(request.params)},
                    {"model", models_.current_name()}});
    return;
  }
  res.set_content(reinterpret_cast<const char*>(encoded.data()), encoded.size(), content_type_of(request.format));
}

void HttpApi::submit_job(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
  if (!req.is_multipart_form_data()) {
    throw ApiError(400, "no-images", "a job is a multipart/form-data body with 'image' fields (files or a zip)");
  }
  const Body body = read_body(req, reader, static_cast<std::size_t>(config_.max_job_files) + 64,
                              static_cast<std::uint64_t>(config_.max_upload_bytes));
  std::vector<UploadedFile> uploads;
  for (const httplib::MultipartFormData& part : body.parts) {
    if (part.name == "image") uploads.push_back({part.filename, part.content});
  }
  const std::string id = jobs_->submit(uploads, request_fields(req, body, "image"));
  res.set_header("Location", "/v1/jobs/" + id);
  send_json(res, {{"id", id}, {"state", "queued"}, {"status", "/v1/jobs/" + id}, {"events", "/v1/jobs/" + id + "/events"}}, 202);
}

void HttpApi::job_events(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  jobs_->status(id);  // 404 before the stream starts
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  auto version = std::make_shared<std::uint64_t>(0);
  res.set_chunked_content_provider("text/event-stream", [this, id, version](std::size_t, httplib::DataSink& sink) {
    bool finished = false;
    Json state;
    try {
      state = jobs_->wait_for_change(id, *version, std::chrono::seconds(10), &finished);
    } catch (const ApiError&) {  // removed meanwhile
      sink.done();
      return true;
    }
    const std::string event = "data: " + json::dump(state) + "\n\n";
    if (!sink.write(event.data(), event.size())) return false;
    if (finished) sink.done();
    return true;
  });
}

void HttpApi::job_result(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  const std::string path = jobs_->result_zip(id);
  auto file = std::make_shared<std::ifstream>(path, std::ios::binary);
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (!*file || ec) throw ApiError(404, "no-result", "job " + id + " has no result.zip");
  res.set_header("Content-Disposition", "attachment; filename=\"gpen-" + id + ".zip\"");
  res.set_content_provider(static_cast<std::size_t>(size), "application/zip",
                           [file](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             std::vector<char> buffer(std::min<std::size_t>(length, 1 << 16));
                             file->seekg(static_cast<std::streamoff>(offset));
                             file->read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
                             const auto n = file->gcount();
                             if (n <= 0) return false;
                             return sink.write(buffer.data(), static_cast<std::size_t>(n));
                           });
}

void HttpApi::put_model(const httplib::Request& req, httplib::Response& res) {
  Json body;
  try {
    body = Json::parse(req.body);
  } catch (const std::exception& e) {
    throw ApiError(400, "bad-json", std::string("the body must be JSON like {\"name\": \"model.pt\"}: ") + e.what());
  }
  if (!body.is_object() || !body.contains("name") || !body["name"].is_string()) {
    throw ApiError(400, "bad-json", "the body must be a JSON object with a string \"name\"");
  }
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const auto& [key, value] : body.items()) {
    if (key == "name") continue;
    overrides.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  models_.select(body["name"].get<std::string>(), overrides);
  send_json(res, models_json());
}

}  // namespace gpen::server
