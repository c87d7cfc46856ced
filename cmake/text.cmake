# cmake/text.cmake — the Danish text layer (engine/text*.c, picked up by the
# engine's glob) links Vectorscan, the multi-pattern matcher its lexicon
# compiles to; its benchmark is bench/text.c. Included from CMakeLists.txt.
pkg_check_modules(HS REQUIRED IMPORTED_TARGET libhs)
target_link_libraries(triage_core PUBLIC PkgConfig::HS)

add_executable(triage-text-bench ${CMAKE_SOURCE_DIR}/bench/text.c)
target_compile_options(triage-text-bench PRIVATE -Wall -Wextra)
target_link_libraries(triage-text-bench PRIVATE triage_core)
