# PUSHCAP_SANITIZE=address,undefined or thread turns sanitizers on for everything built here.
if(PUSHCAP_SANITIZE)
  add_compile_options(-fsanitize=${PUSHCAP_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${PUSHCAP_SANITIZE})
endif()
