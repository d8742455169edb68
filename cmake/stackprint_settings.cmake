# One interface target carries the language level, warnings and sanitizers for every target.
add_library(stackprint_settings INTERFACE)
target_compile_features(stackprint_settings INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)
target_compile_options(stackprint_settings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                       -Wold-style-cast -Wcast-align -Wimplicit-fallthrough)
# Not -Wnull-dereference: GCC 12 reports false positives inside libstdc++ at -O2.
if(STACKPRINT_WERROR)
  target_compile_options(stackprint_settings INTERFACE -Werror)
endif()
if(STACKPRINT_SANITIZERS)
  target_compile_options(stackprint_settings INTERFACE -fsanitize=${STACKPRINT_SANITIZERS} -fno-omit-frame-pointer
                         -fno-sanitize-recover=all)
  target_link_options(stackprint_settings INTERFACE -fsanitize=${STACKPRINT_SANITIZERS})
endif()
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
