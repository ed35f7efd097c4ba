// gpen-restore: the command-line front end of the library.

#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "gpen/gpen.hpp"

namespace fs = std::filesystem;

namespace {

constexpr int kExitPartial = 1;
constexpr int kExitNothingRan = 2;

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

}  // namespace

int main(int argc, char** argv) {
  gpen::cli::CliArgs args;
  std::map<std::string, std::string> outputs;
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
  } catch (const std::exception& e) {
    std::cerr << "gpen-restore: error: " << e.what() << "\n";
    return kExitNothingRan;
  }

  std::unique_ptr<gpen::Restorer> restorer;
  try {
    restorer = std::make_unique<gpen::Restorer>(args.options);
  } catch (const std::exception& e) {
    std::cerr << "gpen-restore: error: " << e.what() << "\n";
    return kExitNothingRan;
  }
  if (restorer->model().random_weights) {
    std::cerr << "gpen-restore: note: " << args.options.model_path
              << " has RANDOM weights (a test model): its output is noise. Export a published "
                 "checkpoint with `python -m gpen.export` for real restoration.\n";
  }

  int failed = 0;
  for (const std::string& in : args.inputs) {
    const std::string& out = outputs[in];
    try {
      if (same_file(in, out)) {
        throw gpen::Error(gpen::ErrorCode::InvalidArgument,
                          "output " + out + " is the input itself; choose another -o directory");
      }
      const gpen::Image image = gpen::read_image(in);
      const gpen::Image restored = restorer->restore_face(image.view(), args.params);
      gpen::write_image(out, restored.view());
      std::cout << in << " -> " << out << "\n";
    } catch (const std::exception& e) {
      ++failed;
      std::cerr << "gpen-restore: failed: " << in << ": " << e.what() << "\n";
    }
  }
  if (failed > 0) {
    std::cerr << "gpen-restore: " << failed << " of " << args.inputs.size() << " images failed\n";
    return kExitPartial;
  }
  return 0;
}
