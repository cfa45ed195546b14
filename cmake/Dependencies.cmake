# Debian bookworm's PocoDataMySQLTargets.cmake names an imported target MySQL::client that nothing
# defines; define it from libmariadb before asking for Poco, or configuring fails.
if(NOT TARGET MySQL::client)
  find_library(MYSQLCLIENT_LIB NAMES mariadb mysqlclient REQUIRED)
  find_path(MYSQLCLIENT_INC NAMES mysql.h PATH_SUFFIXES mariadb mysql REQUIRED)
  add_library(MySQL::client UNKNOWN IMPORTED)
  set_target_properties(MySQL::client PROPERTIES
    IMPORTED_LOCATION "${MYSQLCLIENT_LIB}"
    INTERFACE_INCLUDE_DIRECTORIES "${MYSQLCLIENT_INC}")
endif()
find_package(Poco REQUIRED COMPONENTS Foundation Util Net NetSSL Crypto JSON XML Data DataSQLite DataMySQL)
find_package(yaml-cpp REQUIRED)
# libexpat's own API for Icecast's stats (plugins/icecast): Poco's SAX layer over the same library
# kept PocoXML resident for every run. libexpat1-dev comes with libpoco-dev.
find_package(EXPAT REQUIRED)
# -DBUILD_TESTING=OFF (for packagers): the daemon, the plugins, the SDK and its test kit, without
# doctest and without a single test.
option(BUILD_TESTING "Build the tests (needs doctest)" ON)
if(BUILD_TESTING)
  find_package(doctest REQUIRED)
endif()
find_package(Threads REQUIRED)
