# PUSHCAP_SANITIZE=address,undefined or thread turns sanitizers on for everything built here.
if(PUSHCAP_SANITIZE)
  add_compile_options(-fsanitize=${PUSHCAP_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${PUSHCAP_SANITIZE})
endif()
if(PUSHCAP_FUZZ)
  # Everything the fuzz targets link is instrumented for coverage and checked by ASan/UBSan.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
