# fuzz.cmake — hardening: libFuzzer targets (TRIAGE_FUZZ=ON, clang), replay of
# saved crash inputs and seeds under CTest in every build, and the valgrind
# label (ctest -L valgrind; the normal run is ctest -LE valgrind).
# Included at the end of the top-level CMakeLists.txt.

option(TRIAGE_FUZZ "Build the libFuzzer targets (clang; -fsanitize=fuzzer,address,undefined)" OFF)

set(TRIAGE_FUZZ_TARGETS referral parse rules fhir)
set(TRIAGE_FUZZ_DIR ${CMAKE_SOURCE_DIR}/tests/fuzz)

# Seeds per target: where libFuzzer starts, and what the replay test runs.
set(TRIAGE_FUZZ_SEEDS_referral ${CMAKE_SOURCE_DIR}/tests/data/referral ${CMAKE_SOURCE_DIR}/tests/spec/examples)
set(TRIAGE_FUZZ_SEEDS_parse ${TRIAGE_FUZZ_DIR}/seeds/parse)
set(TRIAGE_FUZZ_SEEDS_rules ${TRIAGE_FUZZ_DIR}/seeds/rules ${CMAKE_SOURCE_DIR}/rules)
set(TRIAGE_FUZZ_SEEDS_fhir ${CMAKE_SOURCE_DIR}/tests/data/fhir)

if(TRIAGE_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TRIAGE_FUZZ needs clang: cmake -DCMAKE_C_COMPILER=clang -DTRIAGE_FUZZ=ON")
  endif()
  set(TRIAGE_FUZZ_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer -g -O1)
  # The engine again, instrumented for coverage and the sanitizers.
  add_library(triage_fuzzcore STATIC ${TRIAGE_ENGINE_SOURCES})
  target_include_directories(triage_fuzzcore PUBLIC ${CMAKE_SOURCE_DIR}/include
                             PRIVATE ${CMAKE_SOURCE_DIR}/engine)
  target_compile_options(triage_fuzzcore PRIVATE ${TRIAGE_FUZZ_FLAGS} -fsanitize=fuzzer-no-link
                         -Wno-unused-parameter)
  target_link_libraries(triage_fuzzcore PUBLIC PkgConfig::LUA PkgConfig::SQLITE PkgConfig::PCRE2
                        PkgConfig::JANSSON PkgConfig::NETTLE PkgConfig::SODIUM Threads::Threads m)
  foreach(t ${TRIAGE_FUZZ_TARGETS})
    add_executable(fuzz_${t} ${TRIAGE_FUZZ_DIR}/fuzz_${t}.c)
    target_compile_options(fuzz_${t} PRIVATE ${TRIAGE_FUZZ_FLAGS} -fsanitize=fuzzer -Wall -Wextra)
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(fuzz_${t} PRIVATE triage_fuzzcore)
    # parse feeds the engine's parsers (date, decision) directly; rules reads
    # the budgets' accounting (budget.h)
    if(t STREQUAL parse OR t STREQUAL rules)
      target_include_directories(fuzz_${t} PRIVATE ${CMAKE_SOURCE_DIR}/engine)
    endif()
  endforeach()
endif()

if(BUILD_TESTING)
  # Every saved crash input (tests/data/fuzz/<target>/) and every seed goes
  # through its target once, with the ordinary build: a regression test.
  foreach(t ${TRIAGE_FUZZ_TARGETS})
    add_executable(fuzz_replay_${t} ${TRIAGE_FUZZ_DIR}/fuzz_${t}.c ${TRIAGE_FUZZ_DIR}/replay.c)
    target_compile_options(fuzz_replay_${t} PRIVATE -Wall -Wextra)
    target_link_libraries(fuzz_replay_${t} PRIVATE libtriage)
    if(t STREQUAL parse OR t STREQUAL rules)   # engine headers, as above
      target_include_directories(fuzz_replay_${t} PRIVATE ${CMAKE_SOURCE_DIR}/engine)
    endif()
    add_test(NAME fuzz_replay_${t}
             COMMAND fuzz_replay_${t} ${CMAKE_SOURCE_DIR}/tests/data/fuzz/${t} ${TRIAGE_FUZZ_SEEDS_${t}})
    set_tests_properties(fuzz_replay_${t} PROPERTIES LABELS "unit;fuzz" TIMEOUT 300)
  endforeach()

  # Memcheck: selected unit programs under valgrind, labelled valgrind only,
  # so `ctest -LE valgrind` is the normal run and `ctest -L valgrind` this one.
  find_program(VALGRIND valgrind)
  if(VALGRIND)
    set(TRIAGE_VALGRIND_TESTS test_date test_sha256 test_referral test_decision test_regex
        test_sandbox test_rules test_store test_corpus test_migration test_answer
        fuzz_replay_referral fuzz_replay_parse fuzz_replay_rules fuzz_replay_fhir test_lifecycle)
    foreach(t ${TRIAGE_VALGRIND_TESTS})
      if(NOT TARGET ${t})
        continue()
      endif()
      set(args "")
      if(t MATCHES "^fuzz_replay_(.*)$")
        set(args ${CMAKE_SOURCE_DIR}/tests/data/fuzz/${CMAKE_MATCH_1} ${TRIAGE_FUZZ_SEEDS_${CMAKE_MATCH_1}})
      endif()
      add_test(NAME valgrind_${t}
               COMMAND ${VALGRIND} --suppressions=${CMAKE_SOURCE_DIR}/cmake/valgrind.supp
                       --error-exitcode=1 --leak-check=full
                       --errors-for-leak-kinds=definite --show-leak-kinds=definite
                       --track-origins=yes --quiet $<TARGET_FILE:${t}> ${args}
               WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
      # under valgrind the sandbox watchdog's signal arrives late (test_sandbox)
      set_tests_properties(valgrind_${t} PROPERTIES LABELS valgrind TIMEOUT 900
                           ENVIRONMENT TRIAGE_UNDER_VALGRIND=1)
    endforeach()
  endif()
endif()
