# watchdog_add_test(NAME SOURCES file.cpp... [LIBRARIES lib...] [LABELS unit|integration|e2e] [TIMEOUT s])
#
# A doctest executable registered with ctest. It links the core and the test support library
# (tests/support: temp dirs, child processes, free ports, a local HTTP server) and the plugin test kit
# (watchdog/testing/PluginTestKit.h: configure from YAML, config errors, unprivileged runs). The environment
# variable WATCHDOG_BUILD_DIR points tests at the build tree (bin/encoder-watchdog, the plugin dir).
# Without BUILD_TESTING it adds nothing; a plugin's CMakeLists keeps its tests' own lines (such as
# add_dependencies) inside if(BUILD_TESTING).
function(watchdog_add_test name)
  if(NOT BUILD_TESTING)
    return()
  endif()
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBRARIES;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE watchdog_test_support watchdog_plugin_testkit watchdog_core ${T_LIBRARIES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "WATCHDOG_BUILD_DIR=${CMAKE_BINARY_DIR};WATCHDOG_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
