# run_and_check.cmake - runs a command and checks its exit code and output.
#
#   cmake -DCMD=<exe> -DARGS=<a|b|c> [-DRC=<code>] [-DSTDOUT=<regex>]
#         [-DSTDERR=<regex>] [-DSTDOUT2=<regex>] [-DSAME_TWICE=1]
#         -P run_and_check.cmake
#
# ARGS is '|'-separated (CTest would split ';'). RC defaults to 0. The regexes
# must match somewhere in the output ('.' also matches a newline). SAME_TWICE
# runs the command a second time and requires identical stdout.

if(NOT DEFINED RC)
  set(RC 0)
endif()
string(REPLACE "|" ";" args "${ARGS}")

execute_process(COMMAND ${CMD} ${args}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "command: ${CMD} ${args}")
message(STATUS "exit code: ${rc}")
message(STATUS "stdout:\n${out}")
message(STATUS "stderr:\n${err}")

if(NOT "${rc}" STREQUAL "${RC}")
  message(FATAL_ERROR "expected exit code ${RC}, got ${rc}")
endif()
foreach(var STDOUT STDOUT2)
  if(DEFINED ${var} AND NOT out MATCHES "${${var}}")
    message(FATAL_ERROR "stdout does not match: ${${var}}")
  endif()
endforeach()
if(DEFINED STDERR AND NOT err MATCHES "${STDERR}")
  message(FATAL_ERROR "stderr does not match: ${STDERR}")
endif()
if(SAME_TWICE)
  execute_process(COMMAND ${CMD} ${args}
    RESULT_VARIABLE rc2 OUTPUT_VARIABLE out2 ERROR_VARIABLE err2)
  if(NOT "${out2}" STREQUAL "${out}")
    message(FATAL_ERROR "second run printed something else:\n${out2}")
  endif()
endif()
