#pragma once
// Temporaries of atomic writes (".NAME.tmp-XXXXXX" beside NAME) left by a process that was
// killed while writing. A writer holds an exclusive flock on its temporary until the rename, so
// one that can be locked, and is more than a few seconds old, has no writer left and is removed.

#include <string>

namespace gpen::detail {

/// Removes the abandoned temporaries of the output `path`. Each folder is listed once per
/// process (the first time it is asked about), so calling this for every file of a batch costs
/// one listing per folder, not one per file.
void remove_abandoned_temporaries_of(const std::string& path);

}  // namespace gpen::detail
