# watchdog_add_plugin(NAME SOURCES file.cpp... [LIBRARIES lib...])
#
# Builds NAME.so (no lib prefix: `plugin: NAME` loads NAME.so) into the plugin directory. The sources
# are also kept as an object library, plugin_NAME_objects, so the plugin's tests can link its classes
# directly. Plugins link with -z defs and -z now: an unresolved symbol fails the link or the load,
# never the first call in a running daemon.
function(watchdog_add_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(TARGET EncoderWatchdog::watchdog_core)
    set(core EncoderWatchdog::watchdog_core)
  else()
    set(core watchdog_core)
  endif()
  add_library(plugin_${name}_objects OBJECT ${P_SOURCES})
  set_target_properties(plugin_${name}_objects PROPERTIES POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(plugin_${name}_objects PUBLIC ${core} ${P_LIBRARIES})
  target_include_directories(plugin_${name}_objects PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  add_library(plugin_${name} MODULE $<TARGET_OBJECTS:plugin_${name}_objects>)
  if(COMMAND watchdog_hot_layout)  # in this tree, not in an out-of-tree build against the SDK
    watchdog_hot_layout(plugin_${name})
  endif()
  target_link_libraries(plugin_${name} PRIVATE ${core} ${P_LIBRARIES})
  target_link_options(plugin_${name} PRIVATE -Wl,-z,defs -Wl,-z,now)
  if(NOT DEFINED WATCHDOG_PLUGIN_OUTPUT_DIR)
    set(WATCHDOG_PLUGIN_OUTPUT_DIR ${CMAKE_BINARY_DIR}/plugins)
  endif()
  set_target_properties(plugin_${name} PROPERTIES
    PREFIX "" OUTPUT_NAME ${name}
    LIBRARY_OUTPUT_DIRECTORY ${WATCHDOG_PLUGIN_OUTPUT_DIR})
  if(DEFINED WATCHDOG_INSTALL_PLUGIN_DIR)
    install(TARGETS plugin_${name} LIBRARY DESTINATION ${WATCHDOG_INSTALL_PLUGIN_DIR})
  endif()
endfunction()
