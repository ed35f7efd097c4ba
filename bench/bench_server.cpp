// gpen-server's overhead: POST /v1/restore against the same work (decode, Restorer::restore,
// encode) through the C++ API in this process, with 1 and 4 concurrent clients, side by side
// in one run. Prints one JSON line per case.
// usage: gpen-bench-server --server PATH --photo PATH [--model M.pt] [--requests N] [--rounds R]
//                          [--threads T]
//   The two sides alternate in R rounds (default 4) of N requests per client (default 2);
//   --threads T: LibTorch intra-op threads, both sides.

#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/malloc_policy.hpp"
#include "app/openmp_env.hpp"
#include "gpen/gpen.hpp"

using Clock = std::chrono::steady_clock;

namespace {

struct Figures {
  double requests_per_s = 0.0;
  double p50_ms = 0.0;
  double p99_ms = 0.0;
  int failures = 0;
};

// Runs `one()` `per_client` times on each of `clients` threads (after one untimed call each
// when `warm_up`: TorchScript's executor optimises the graph in its first calls); appends each
// call's latency to `latencies`.
template <typename Call>
Figures measure(int clients, int per_client, Call one, std::vector<double>& latencies, bool warm_up) {
  if (warm_up) {
    std::vector<std::thread> warmup;
    for (int c = 0; c < clients; ++c) warmup.emplace_back([&] { one(); });
    for (std::thread& t : warmup) t.join();
  }
  std::mutex mutex;
  int failures = 0;
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      for (int i = 0; i < per_client; ++i) {
        const auto t0 = Clock::now();
        const bool ok = one();
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        std::lock_guard<std::mutex> lock(mutex);
        latencies.push_back(ms);
        failures += ok ? 0 : 1;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  return {clients * per_client / wall, 0.0, 0.0, failures};
}

Figures summarise(std::vector<double> latencies, double wall_s, int failures) {
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(p * latencies.size()))]; };
  return {latencies.size() / wall_s, pct(0.5), pct(0.99), failures};
}

// Starts gpen-server on a free port; returns its pid and port.
std::pair<pid_t, int> start_server(const std::vector<std::string>& args) {
  int out[2];
  if (pipe(out) != 0) return {-1, -1};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c = 0;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  const auto at = line.find("127.0.0.1:");
  if (at == std::string::npos) return {pid, -1};
  return {pid, std::atoi(line.c_str() + at + 10)};
}

void print(const std::string& path_name, int clients, const char* side, const Figures& f) {
  std::printf("{\"path\": \"%s\", \"clients\": %d, \"side\": \"%s\", \"requests_per_s\": %.3f, \"p50_ms\": %.1f, "
              "\"p99_ms\": %.1f, \"failures\": %d}\n",
              path_name.c_str(), clients, side, f.requests_per_s, f.p50_ms, f.p99_ms, f.failures);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  gpen::app::ensure_passive_openmp_wait(argv);  // as gpen-server does, so both sides run alike
  gpen::app::keep_freed_memory();
  std::string server_bin, photo_path, model;
  int requests = 2;  // per client and round
  int rounds = 4;
  int threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--server") server_bin = value;
    else if (flag == "--photo") photo_path = value;
    else if (flag == "--model") model = value;
    else if (flag == "--requests") requests = std::atoi(value.c_str());
    else if (flag == "--threads") threads = std::atoi(value.c_str());
    else if (flag == "--rounds") rounds = std::atoi(value.c_str());
  }
  if (server_bin.empty() || photo_path.empty()) {
    std::cerr << "usage: gpen-bench-server --server PATH --photo PATH [--model M.pt] [--requests N] [--rounds R] [--threads T]\n";
    return 2;
  }
  std::ifstream in(photo_path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string path_name = model.empty() ? "classic" : "model";
  signal(SIGPIPE, SIG_IGN);

  for (int clients : {1, 4}) {
    gpen::RestorerOptions options;
    options.model_path = model;
    options.threads = threads;
    const gpen::Restorer restorer(options);
    restorer.detect(gpen::Image(64, 64).view());  // the detector loads, as the server does at start
    std::vector<std::string> args = {server_bin, "--port", "0", "--quiet", "--workers", std::to_string(clients),
                                     "--threads", std::to_string(threads), "--jobs-dir", "/tmp/gpen-bench-server-jobs"};
    if (!model.empty()) args.insert(args.end(), {"--model", model});
    const auto [pid, port] = start_server(args);
    if (port <= 0) {
      std::cerr << "gpen-bench-server: the server did not start\n";
      return 1;
    }
    // In process: the server's per-request work, without HTTP.
    auto api_call = [&] {
      const gpen::Image image = gpen::decode_image(bytes.data(), bytes.size());
      const gpen::Result result = restorer.restore(image.view());
      return !gpen::encode_image(result.image.view(), "png").empty();
    };
    // Through HTTP: a server with as many workers as clients.
    auto http_call = [&, port = port] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(600);
      const auto res = client.Post("/v1/restore", bytes, "application/octet-stream");
      return res && res->status == 200;
    };
    // Alternating short rounds, so that a slow spell of the machine hits both sides alike.
    Figures api, http;
    std::vector<double> api_lat, http_lat;
    double api_wall = 0.0, http_wall = 0.0;
    for (int round = 0; round < rounds; ++round) {
      const Figures a = measure(clients, requests, api_call, api_lat, round == 0);
      api_wall += requests * clients / a.requests_per_s;
      api.failures += a.failures;
      const Figures h = measure(clients, requests, http_call, http_lat, round == 0);
      http_wall += requests * clients / h.requests_per_s;
      http.failures += h.failures;
    }
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    api = summarise(api_lat, api_wall, api.failures);
    http = summarise(http_lat, http_wall, http.failures);
    print(path_name, clients, "c++ api", api);
    print(path_name, clients, "http", http);
    std::printf("{\"path\": \"%s\", \"clients\": %d, \"server_overhead\": %.3f}\n", path_name.c_str(), clients,
                api.requests_per_s / http.requests_per_s - 1.0);
  }
  return 0;
}
