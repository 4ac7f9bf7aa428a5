# Runs COMMAND (a ;-list) and checks its exit code and that its output matches EXPECT_OUTPUT.
# Used by CTest for command-line behaviour: cmake -DCOMMAND=... -DEXPECT_CODE=1 -DEXPECT_OUTPUT=... -P
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL EXPECT_CODE)
  message(FATAL_ERROR "exit code ${code}, expected ${EXPECT_CODE}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT_OUTPUT}")
  message(FATAL_ERROR "output does not match \"${EXPECT_OUTPUT}\"\nstdout:\n${out}\nstderr:\n${err}")
endif()
