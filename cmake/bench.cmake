# cmake/bench.cmake — the benchmark program (bench/decide.c) and the smoke
# test that keeps bench/run working. Included from the top-level CMakeLists.
add_executable(triage-bench ${CMAKE_SOURCE_DIR}/bench/decide.c)
target_compile_options(triage-bench PRIVATE -Wall -Wextra)
# pcre2_match is wrapped so that --breakdown can time regex matching, and
# lua_sethook so that --profile can sample the Lua VM; the engine is untouched.
target_link_options(triage-bench PRIVATE -Wl,--wrap=pcre2_match_8 -Wl,--wrap=lua_sethook)
target_link_libraries(triage-bench PRIVATE libtriage)
# It times the engine's inside (a decider's history hook, the sandbox), so it
# names engine headers, like the unit tests of the engine do.
target_include_directories(triage-bench PRIVATE ${CMAKE_SOURCE_DIR}/engine)


# The same program with Lua linked statically, where liblua5.4.a exists: its
# symbols name Lua's own functions in `bench/run --callgrind` listings.
find_library(TRIAGE_LUA_STATIC NAMES liblua5.4.a)
if(TRIAGE_LUA_STATIC)
  add_executable(triage-bench-symbols ${CMAKE_SOURCE_DIR}/bench/decide.c)
  target_compile_options(triage-bench-symbols PRIVATE -Wall -Wextra)
  target_link_options(triage-bench-symbols PRIVATE -Wl,--wrap=pcre2_match_8 -Wl,--wrap=lua_sethook)
  target_link_libraries(triage-bench-symbols PRIVATE libtriage ${TRIAGE_LUA_STATIC} dl)
  target_include_directories(triage-bench-symbols PRIVATE ${CMAKE_SOURCE_DIR}/engine)
endif()

if(BUILD_TESTING)
  # Not a timing test: only that the harness runs and its JSON has the keys.
  add_test(NAME bench_smoke
           COMMAND bash ${CMAKE_SOURCE_DIR}/bench/smoke.sh $<TARGET_FILE:triage>
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(bench_smoke PROPERTIES LABELS bench TIMEOUT 300)
endif()

# How long a rule author waits for a save to take effect (bench/reload.c).
add_executable(triage-reload-bench ${CMAKE_SOURCE_DIR}/bench/reload.c)
target_compile_options(triage-reload-bench PRIVATE -Wall -Wextra)
target_link_libraries(triage-reload-bench PRIVATE libtriage)

# Open-loop load at a fixed rate for the CDS Hooks service (bench/cds).
add_executable(triage-cds-load ${CMAKE_SOURCE_DIR}/bench/cds_load.c)
target_compile_options(triage-cds-load PRIVATE -Wall -Wextra)
target_link_libraries(triage-cds-load PRIVATE Threads::Threads)
