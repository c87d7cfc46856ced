# cmake/text.cmake — the Danish text layer (engine/text*.c, picked up by the
# engine's glob) links Vectorscan, the multi-pattern matcher its lexicon
# compiles to; its benchmark is bench/text.c. Included from CMakeLists.txt.
pkg_check_modules(HS REQUIRED IMPORTED_TARGET libhs)
target_link_libraries(libtriage PUBLIC PkgConfig::HS)

add_executable(triage-text-bench ${CMAKE_SOURCE_DIR}/bench/text.c)
target_compile_options(triage-text-bench PRIVATE -Wall -Wextra)
target_link_libraries(triage-text-bench PRIVATE libtriage)
# It times the layer's own steps, so it names engine headers, like the unit
# tests of the engine do.
target_include_directories(triage-text-bench PRIVATE ${CMAKE_SOURCE_DIR}/engine)

# The fuzz target for the text layer (fuzz.cmake's conventions: libFuzzer with
# TRIAGE_FUZZ=ON and clang; its seeds replayed by CTest in every build).
if(TARGET triage_fuzzcore)
  target_link_libraries(triage_fuzzcore PUBLIC PkgConfig::HS)
  add_executable(fuzz_text ${TRIAGE_FUZZ_DIR}/fuzz_text.c)
  target_compile_options(fuzz_text PRIVATE ${TRIAGE_FUZZ_FLAGS} -fsanitize=fuzzer -Wall -Wextra)
  target_compile_definitions(fuzz_text PRIVATE TRIAGE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  target_link_options(fuzz_text PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_text PRIVATE triage_fuzzcore)
  # it reads with the layer's own (private) headers, as the replay below does
  target_include_directories(fuzz_text PRIVATE ${CMAKE_SOURCE_DIR}/engine)
endif()
if(BUILD_TESTING)
  add_executable(fuzz_replay_text ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_text.c
                 ${CMAKE_SOURCE_DIR}/tests/fuzz/replay.c)
  target_compile_options(fuzz_replay_text PRIVATE -Wall -Wextra)
  target_compile_definitions(fuzz_replay_text PRIVATE TRIAGE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  target_link_libraries(fuzz_replay_text PRIVATE libtriage)
  target_include_directories(fuzz_replay_text PRIVATE ${CMAKE_SOURCE_DIR}/engine)
  add_test(NAME fuzz_replay_text
           COMMAND fuzz_replay_text ${CMAKE_SOURCE_DIR}/tests/data/fuzz/text
                   ${CMAKE_SOURCE_DIR}/tests/fuzz/seeds/text)
  set_tests_properties(fuzz_replay_text PROPERTIES LABELS "unit;fuzz" TIMEOUT 300)
endif()
