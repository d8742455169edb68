# Every dependency comes from Debian 12 packages; the README lists what each one is for.
find_package(tl-expected REQUIRED)      # libexpected-dev: errors as values at library boundaries
find_package(fmt REQUIRED)              # libfmt-dev: formatting
find_package(nlohmann_json REQUIRED)    # nlohmann-json3-dev: JSON output
find_package(pugixml REQUIRED)          # libpugixml-dev: Nmap-compatible XML output
find_package(CLI11 REQUIRED)            # libcli11-dev: command line
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPCAP REQUIRED IMPORTED_TARGET libpcap)   # libpcap-dev: capture files and live capture
add_library(PCAP::PCAP ALIAS PkgConfig::LIBPCAP)
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp) # libseccomp-dev: io/sandbox.cpp
if(STACKPRINT_BUILD_TESTS)
  find_package(GTest REQUIRED)          # googletest / libgtest-dev
endif()
if(STACKPRINT_BUILD_BENCH)
  find_package(benchmark REQUIRED)      # libbenchmark-dev
endif()
