// gpen-restore: the command-line front end of the library.

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "atomic_file.hpp"
#include "cli_args.hpp"
#include "gpen/gpen.hpp"
#include "report.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kExitPartial = 1;
constexpr int kExitNothingRan = 2;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Output path per input; two inputs that would write the same file are an error.
std::map<std::string, std::string> plan_outputs(const std::vector<std::string>& inputs,
                                                const std::string& out_dir) {
  std::map<std::string, std::string> output_of;
  std::map<std::string, std::string> input_of;
  for (const std::string& in : inputs) {
    const std::string out = (fs::path(out_dir) / (fs::path(in).stem().string() + ".png")).string();
    auto [it, fresh] = input_of.emplace(out, in);
    if (!fresh && it->second != in) {
      throw gpen::Error(gpen::ErrorCode::InvalidArgument,
                        "inputs " + it->second + " and " + in + " would both be written to " + out);
    }
    output_of[in] = out;
  }
  return output_of;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

void save_faces(const std::string& out_dir, const std::string& input,
                const std::vector<gpen::FaceResult>& faces) {
  if (faces.empty()) return;
  const fs::path dir = fs::path(out_dir) / "faces";
  fs::create_directories(dir);
  const std::string stem = fs::path(input).stem().string();
  for (std::size_t i = 0; i < faces.size(); ++i) {
    const std::string base = (dir / (stem + "_" + std::to_string(i))).string();
    gpen::write_image(base + "_aligned.png", faces[i].aligned.view());
    if (!faces[i].restored.empty()) gpen::write_image(base + "_restored.png", faces[i].restored.view());
  }
}

gpen::cli::ImageRecord process(const gpen::Restorer& restorer, const gpen::cli::CliArgs& args,
                               const std::string& in, const std::string& out) {
  gpen::cli::ImageRecord record;
  record.input = in;
  record.output = out;
  const auto start = Clock::now();
  try {
    if (same_file(in, out)) {
      throw gpen::Error(gpen::ErrorCode::InvalidArgument,
                        "output " + out + " is the input itself; choose another -o directory");
    }
    const gpen::Image image = gpen::read_image(in);
    gpen::Image result;
    if (args.aligned) {
      result = restorer.restore_face(image.view(), args.params);
    } else {
      gpen::Result r = restorer.restore(image.view(), args.params);
      result = std::move(r.image);
      record.faces = std::move(r.faces);
      if (args.save_faces) save_faces(args.output_dir, in, record.faces);
    }
    gpen::write_image(out, result.view());
    record.width = result.width();
    record.height = result.height();
    record.ok = true;
    std::cout << in << " -> " << out;
    if (!args.aligned) std::cout << " (" << record.faces.size() << " faces)";
    std::cout << "\n";
  } catch (const std::exception& e) {
    record.error = e.what();
    std::cerr << "gpen-restore: failed: " << in << ": " << e.what() << "\n";
  }
  for (gpen::FaceResult& f : record.faces) {  // keep the report's memory small
    f.aligned = gpen::Image();
    f.restored = gpen::Image();
  }
  record.seconds = seconds_since(start);
  return record;
}

}  // namespace

int main(int argc, char** argv) {
  const auto start = Clock::now();
  gpen::cli::CliArgs args;
  std::map<std::string, std::string> outputs;
  std::unique_ptr<gpen::Restorer> restorer;
  try {
    args = gpen::cli::parse_cli_args(std::vector<std::string>(argv + 1, argv + argc));
    if (args.show_help) {
      std::cout << gpen::cli::usage();
      return 0;
    }
    if (args.show_version) {
      std::cout << "gpen-restore " << gpen::version() << "\n";
      return 0;
    }
    outputs = plan_outputs(args.inputs, args.output_dir);
    fs::create_directories(args.output_dir);
    restorer = std::make_unique<gpen::Restorer>(args.options);
  } catch (const std::exception& e) {
    std::cerr << "gpen-restore: error: " << e.what() << "\n";
    return kExitNothingRan;
  }
  if (!restorer->has_model()) {
    std::cerr << "gpen-restore: note: no --model given: faces are enhanced by the classic path "
                 "(denoise, white balance, local contrast, sharpening), not by GPEN.\n";
  } else if (restorer->model().random_weights) {
    std::cerr << "gpen-restore: note: " << args.options.model_path
              << " has RANDOM weights (a test model): its output is noise. Export a published "
                 "checkpoint with `python -m gpen.export` for real restoration.\n";
  }

  std::vector<gpen::cli::ImageRecord> records;
  int failed = 0;
  for (const std::string& in : args.inputs) {
    records.push_back(process(*restorer, args, in, outputs[in]));
    failed += records.back().ok ? 0 : 1;
  }
  if (!args.json_report.empty()) {
    try {
      const std::string json = gpen::cli::report_json(args, restorer.get(), records, seconds_since(start));
      gpen::detail::write_file_atomically(args.json_report, json.data(), json.size());
    } catch (const std::exception& e) {
      std::cerr << "gpen-restore: error: cannot write report: " << e.what() << "\n";
      return kExitPartial;
    }
  }
  if (failed > 0) {
    std::cerr << "gpen-restore: " << failed << " of " << args.inputs.size() << " images failed\n";
    return kExitPartial;
  }
  return 0;
}
