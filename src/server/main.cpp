// gpen-server: the web UI and HTTP API over the library (docs/server.md).

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "app/malloc_policy.hpp"
#include "app/openmp_env.hpp"
#include "gpen/error.hpp"
#include "gpen/version.hpp"
#include "server/http_api.hpp"
#include "server/server_config.hpp"

int main(int argc, char** argv) {
  using namespace gpen::server;
  gpen::app::ensure_passive_openmp_wait(argv);
  gpen::app::keep_freed_memory();
  ServerConfig config;
  try {
    config = parse_server_args(std::vector<std::string>(argv + 1, argv + argc), std::getenv("GPEN_API_KEY"));
  } catch (const gpen::Error& e) {
    std::fprintf(stderr, "gpen-server: %s\n", e.what());
    return 2;
  }
  if (config.show_help) {
    std::cout << server_usage();
    return 0;
  }
  if (config.show_version) {
    std::cout << "gpen-server " << gpen::version() << "\n";
    return 0;
  }
  // SIGINT/SIGTERM are taken by one thread (sigwait) rather than a handler, so stopping may
  // lock and join; every thread started after this inherits the blocked mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<HttpApi> api;
  try {
    api = std::make_unique<HttpApi>(config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpen-server: %s\n", e.what());
    return 2;
  }
  httplib::Server server;
  api->install(server);
  int port = config.port;
  if (port == 0) {
    port = server.bind_to_any_port(config.host);
  } else if (!server.bind_to_port(config.host, port)) {
    port = -1;
  }
  if (port < 0) {
    std::fprintf(stderr, "gpen-server: cannot listen on %s:%d (in use, or not an address of this machine)\n",
                 config.host.c_str(), config.port);
    return 2;
  }
  std::thread stopper([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    if (signal_number == 0) return;
    std::fprintf(stderr, "gpen-server: stopping (signal %d): checkpointing jobs\n", signal_number);
    api->shutdown();
    server.stop();
  });
  const std::string shown_host = config.host == "0.0.0.0" ? "127.0.0.1" : config.host;
  std::printf("gpen-server %s listening: open http://%s:%d/ in a browser\n", gpen::version(), shown_host.c_str(), port);
  std::fflush(stdout);
  const bool ok = server.listen_after_bind();
  // listen returned: by a signal (the stopper is done) or a failure (wake the stopper).
  if (stopper.joinable()) {
    if (!ok) pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();
  }
  api->shutdown();
  std::fprintf(stderr, "gpen-server: stopped\n");
  return ok ? 0 : 1;
}
