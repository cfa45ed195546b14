# Installs what runs the daemon (systemd unit, default config, docs) and sets up CPack so that
# `cpack -G DEB` in the build directory builds a .deb. Configure with -DCMAKE_INSTALL_PREFIX=/usr
# for a package: the unit names the binary by its installed path, and GNUInstallDirs then puts the
# configuration in /etc.
set(WATCHDOG_BIN_DIR ${CMAKE_INSTALL_FULL_BINDIR})
set(WATCHDOG_CONFIG_DIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/encoder-watchdog)
set(WATCHDOG_DOC_DIR ${CMAKE_INSTALL_FULL_DATAROOTDIR}/doc/encoder-watchdog)

# systemd reads units from <prefix>/lib/systemd/system, never from a multiarch libdir.
configure_file(${CMAKE_SOURCE_DIR}/packaging/encoder-watchdog.service.in ${CMAKE_BINARY_DIR}/encoder-watchdog.service @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/encoder-watchdog.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/pipeline.yaml ${CMAKE_SOURCE_DIR}/packaging/watchdog.env.example
        DESTINATION ${WATCHDOG_CONFIG_DIR})
install(FILES ${CMAKE_SOURCE_DIR}/packaging/README.md DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/encoder-watchdog)

set(CPACK_PACKAGE_NAME encoder-watchdog)
set(CPACK_PACKAGE_VENDOR "encoder-watchdog")
set(CPACK_PACKAGE_CONTACT "encoder-watchdog maintainers <root@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Watches a live-streaming encoder (Icecast, HLS, Liquidsoap) and brings up a backup")
set(CPACK_PACKAGE_DESCRIPTION "A daemon that checks Icecast sources, Liquidsoap CPU and HLS segments, warns on Discord, starts a backup EC2 instance when the encoder fails, keeps history in SQLite or MySQL and serves a status page and Prometheus metrics.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Dependencies: dpkg-shlibdeps reads them, with versions, from the binaries and plugins (libc,
# libstdc++, Poco, yaml-cpp, OpenSSL); without dpkg-dev, bookworm's runtime package names by hand.
# The MariaDB client library is loaded with dlopen when the mysql sink or `ha:` first connects, so
# no binary names it: it is listed by hand (dpkg-shlibdeps' list is appended).
find_program(WATCHDOG_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(WATCHDOG_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libmariadb3")
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_BINARY_DIR}/lib)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libpocofoundation80, libpoconet80, libpocoutil80, libpocojson80, libpocoxml80, libpoconetssl80, libpococrypto80, libpocodata80, libpocodatasqlite80, libpocodatamysql80, libyaml-cpp0.7, libmariadb3")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "icecast2, mariadb-server")
configure_file(${CMAKE_SOURCE_DIR}/packaging/debian/conffiles.in ${CMAKE_BINARY_DIR}/debian/conffiles @ONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/debian/conffiles
    ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
    ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
