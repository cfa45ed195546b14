include(CMakePackageConfigHelpers)

install(TARGETS watchdog_core watchdog_plugin_testkit EXPORT EncoderWatchdogTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS encoder-watchdog RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY core/include/watchdog DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_BINARY_DIR}/core/include/watchdog/Version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/watchdog)

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/EncoderWatchdog)
install(EXPORT EncoderWatchdogTargets NAMESPACE EncoderWatchdog:: DESTINATION ${config_dir})
configure_package_config_file(cmake/EncoderWatchdogConfig.cmake.in
  ${CMAKE_BINARY_DIR}/EncoderWatchdogConfig.cmake INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/EncoderWatchdogConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_BINARY_DIR}/EncoderWatchdogConfig.cmake
  ${CMAKE_BINARY_DIR}/EncoderWatchdogConfigVersion.cmake
  cmake/WatchdogPlugin.cmake
  DESTINATION ${config_dir})

# The daemon's files: systemd unit, default config, docs, and the .deb (cmake/Packaging.cmake).
include(cmake/Packaging.cmake)
