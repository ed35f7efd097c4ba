#pragma once
// Umbrella header: everything a C++ application needs.

#include "gpen/batch.hpp"
#include "gpen/compare.hpp"
#include "gpen/detector.hpp"
#include "gpen/error.hpp"
#include "gpen/image.hpp"
#include "gpen/io.hpp"
#include "gpen/options.hpp"
#include "gpen/param_table.hpp"
#include "gpen/params.hpp"
#include "gpen/restorer.hpp"
#include "gpen/result.hpp"
#include "gpen/version.hpp"
#include "gpen/video.hpp"
