# The warning list applied to pushcap's own targets only (never to dependencies).
add_library(pushcap_warnings INTERFACE)
target_compile_options(pushcap_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wdouble-promotion
  -Wformat=2 -Wimplicit-fallthrough -Wmisleading-indentation)
if(PUSHCAP_WERROR)
  target_compile_options(pushcap_warnings INTERFACE -Werror)
endif()
