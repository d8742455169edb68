#include "stackprint/cli/offline_sandbox.hpp"

#include <ctime>

#include "stackprint/cli/console.hpp"
#include "stackprint/io/sandbox.hpp"

namespace stackprint::cli {

bool enter_offline_sandbox(std::string_view command) {
  // localtime_r() reads the zone file on first use only: read it now, while open(2) is allowed.
  tzset();
  if (auto installed = io::install_sandbox(io::SandboxProfile::offline); !installed) {
    print_error(command, installed.error().message);
    return false;
  }
  return true;
}

} // namespace stackprint::cli
