# Installation of the documentation and the Debian package (CPack DEB).
#   cmake --install build [--prefix /usr]     binary, man page, JSON schema, systemd unit
#   (cd build && cpack -G DEB)                stackprint_<version>_<arch>.deb; its postinst grants
#                                              cap_net_raw,cap_net_admin to /usr/bin/stackprint
include(GNUInstallDirs)

# Man page, gzipped as Debian policy wants (reproducible: no name or time stamp in the gzip header).
find_program(STACKPRINT_GZIP gzip)
set(man_source "${PROJECT_SOURCE_DIR}/docs/stackprint.1")
if(STACKPRINT_GZIP)
  set(man_page "${PROJECT_BINARY_DIR}/stackprint.1.gz")
  add_custom_command(OUTPUT "${man_page}"
                     COMMAND "${STACKPRINT_GZIP}" -9 -n -c "${man_source}" > "${man_page}"
                     DEPENDS "${man_source}" VERBATIM)
else()
  set(man_page "${man_source}")
endif()
add_custom_target(stackprint_man ALL DEPENDS "${man_page}")
install(FILES "${man_page}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
install(FILES "${PROJECT_SOURCE_DIR}/docs/stackprint-host.schema.json" "${PROJECT_SOURCE_DIR}/README.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")
# The hardened emulator service (docs/service.md section 2) and an example instance configuration.
install(FILES "${PROJECT_SOURCE_DIR}/packaging/systemd/stackprint-emulate@.service"
        DESTINATION lib/systemd/system)
install(FILES "${PROJECT_SOURCE_DIR}/packaging/systemd/emulate-example.conf" "${PROJECT_SOURCE_DIR}/docs/service.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")

set(CPACK_PACKAGE_NAME "stackprint")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "stackprint maintainers <stackprint@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "active TCP/IP stack fingerprinting compatible with Nmap's OS detection")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "stackprint")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# nmap-os-db (and nmap.dtd/nmap.xsl for the XML), setcap for the postinst.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "nmap-common, libcap2-bin")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "ndiff, xsltproc")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${PROJECT_SOURCE_DIR}/packaging/debian/postinst")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
