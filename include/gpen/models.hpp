#pragma once
// Published models by name: the catalogue (python/gpen/catalogue.json, embedded at build time),
// the user's cache, and the resolution every surface applies to a model argument, so that
// `--model GPEN-BFR-512`, `Restorer("GPEN-BFR-512")`, a published `.pth` and an exported `.pt`
// all work wherever a model path is taken.
//
// Downloading and converting run `python3 -m gpen.models` (Python + PyTorch: the exporter is
// Python); everything else here is C++ and needs neither.

#include <string>
#include <vector>

#include "gpen/export.hpp"

namespace gpen {

/// One entry of the catalogue, with its state in the cache.
struct KnownModel {
  std::string name;         ///< "GPEN-BFR-512", "RetinaFace-R50", ...
  std::string kind;         ///< "face", "detector", "parsing" or "background"
  std::string task;         ///< what it does, in words
  std::string file;         ///< the published file name, e.g. "GPEN-BFR-512.pth"
  std::vector<std::string> urls;  ///< published download addresses, preferred first
  std::string sha256;       ///< empty while no checksum is known
  bool supported = false;   ///< false: known, but gpen cannot run it yet (the note says why)
  std::string note;
  std::string cached_path;  ///< the converted model in the cache; empty when not cached
};

/// The catalogue, in its order, with each entry's cache state.
GPEN_API std::vector<KnownModel> known_models();

/// The cache folder: $GPEN_HOME, else $XDG_CACHE_HOME/gpen, else ~/.cache/gpen.
GPEN_API std::string model_cache_dir();

/// What a model argument means, as every surface reads it:
/// - an exported gpen model (.pt): itself;
/// - a published PyTorch checkpoint (.pth, zip or legacy pickle): converted once into the cache
///   (runs `python3 -m gpen.models convert`) and the cached file returned;
/// - a catalogue name: its cached file; when not cached, pulled first if `download`, else
///   gpen::Error(FileNotFound) saying the one command that fetches it.
/// Anything else throws gpen::Error(FileNotFound) naming the argument (with a close name when
/// there is one). Python missing, or without PyTorch: gpen::Error(InvalidModel) saying so and
/// how to convert on another machine.
GPEN_API std::string resolve_model(const std::string& name_or_path, bool download = false);

/// Downloads, verifies (size, sha256 when known, layout) and converts a catalogue model into the
/// cache, with a progress bar on stderr; returns the cached path (at once if already cached).
/// Throws gpen::Error naming the problem: unknown name, offline, checksum, layout.
GPEN_API std::string pull_model(const std::string& name);

}  // namespace gpen
