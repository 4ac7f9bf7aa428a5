# herdsim grade against course-style herds with known defects (tests/fixtures/course_herd): each run
# must name exactly its defects. The fixture hard-codes the w22 ports, as the course's servers do,
# so these share the course graders' lock; and like them they run alone, since the course's client
# asks a neighbour about an update a few milliseconds after it was made.
set(grade_out ${CMAKE_BINARY_DIR}/grade-results)
function(herdsim_grade_test style defect)
  add_test(NAME "grade: ${style} ${defect}"
           COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/grade/defects.py $<TARGET_FILE:herdsim> ${grade_out} ${style} ${defect})
  set_tests_properties("grade: ${style} ${defect}" PROPERTIES TIMEOUT 300 RESOURCE_LOCK w22-ports RUN_SERIAL TRUE LABELS grade)
endfunction()
herdsim_grade_test(persistent none)
herdsim_grade_test(per-command none)
herdsim_grade_test(eof none)
herdsim_grade_test(eof no-flood)
herdsim_grade_test(persistent no-newline)
herdsim_grade_test(per-command bad-invalid)
herdsim_grade_test(persistent short-diff)
herdsim_grade_test(per-command json-indent-2)
herdsim_grade_test(per-command late-flood)
herdsim_grade_test(persistent serial-flood)

# A server that reads {config}: its links relayed, the flood diagram drawn, a link cut (an extra);
# and one given {config} that connects elsewhere.
add_test(NAME "grade: relayed links for a server that reads {config}"
         COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/grade/relayed.py $<TARGET_FILE:herdsim> ${grade_out}/relayed)
set_tests_properties("grade: relayed links for a server that reads {config}" PROPERTIES
                     TIMEOUT 300 RESOURCE_LOCK w22-ports RUN_SERIAL TRUE LABELS grade)

herdsim_cli_test("grade refuses an unknown placeholder, naming it" 2
  "unknown placeholder \\{nmae\\}"
  grade --server "python3 server.py {nmae}" --out ${grade_out}/refused)

# The docs' examples as a user types them: from the repository root, relative paths, the default --out.
function(herdsim_docs_example name code output)
  add_test(NAME "docs example: ${name}"
           COMMAND ${CMAKE_COMMAND} "-DCOMMAND=$<TARGET_FILE:herdsim>;${ARGN}" -DEXPECT_CODE=${code}
                   "-DEXPECT_OUTPUT=${output}" -P ${CMAKE_CURRENT_SOURCE_DIR}/check_exit.cmake
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties("docs example: ${name}" PROPERTIES TIMEOUT 300 RESOURCE_LOCK w22-ports RUN_SERIAL TRUE LABELS grade)
endfunction()
herdsim_docs_example("grade gives the reference herd full course marks" 0 "\ncourse 85/85  extras [0-9]+/[0-9]+\n$"
  grade --server "python3 tests/fixtures/course_herd/server.py {name}")
herdsim_docs_example("grade takes course points from a herd that does not flood" 1 "\ncourse 35/85  extras [0-9]+/[0-9]+\n$"
  grade --server "python3 tests/fixtures/course_herd/server.py {name} --defect no-flood")
herdsim_docs_example("grade relays the links of a server that reads {config}" 0
  "\n  1/1  extra: faults: the link Clark-Jaquez cut: [^\n]*\n.*\ncourse 85/85  extras 27/27\n$"
  grade --server "python3 tests/fixtures/course_herd/server.py {name} --config {config}")
herdsim_docs_example("run --target with the Python fixture" 0 "\nw22-grading +PASS "
  run scenarios/w22-grading.json --target tests/fixtures/python_herd/target.json)

# --config names another herd; --repeat gives each check a pass rate, and prints each later run's
# failures as they come (the Python fixture, which reads its herd from {config}, three servers in a
# line: no catch-up after the cut of a link every path needs).
herdsim_cli_test("grade --repeat 2 on a herd of --config gives pass rates" 0
  "\nrun 1: course ([0-9]+)/([0-9]+)  extras [^\n]*\n  run 2: 0/1  extra: faults: the link Alpha-Beta cut: [^\n]*\n +while cut: [^\n]*\nrun 2: course [^\n]*\n.*\ncourse 26/26  extras [0-9]+/[0-9]+\n$"
  grade --server "python3 ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/python_herd/server.py {name} {config} {log_dir}"
        --config ${CMAKE_CURRENT_SOURCE_DIR}/data/grade/three.json --repeat 2 --out ${grade_out}/repeat)
set_tests_properties("cli: grade --repeat 2 on a herd of --config gives pass rates" PROPERTIES RESOURCE_LOCK grade-three TIMEOUT 300)
# --submissions: every folder graded, two at once (each in a network namespace of its own, or both
# would take the w22 ports), one CSV; the worst exit code.
add_test(NAME "grade: --submissions --jobs 2 grades every folder at once into one CSV"
         COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/grade/submissions.py $<TARGET_FILE:herdsim>
                 ${CMAKE_CURRENT_SOURCE_DIR}/data/submissions ${grade_out}/submissions)
set_tests_properties("grade: --submissions --jobs 2 grades every folder at once into one CSV" PROPERTIES
                     TIMEOUT 300 RUN_SERIAL TRUE LABELS grade)
herdsim_docs_example("grade --target takes a target file's command" 0
  "0/1  extra: Test 1: Juzang answers an IAMAT and then a WHATSAT on one connection, without a half-close\n.*\ncourse 85/85  extras 25/26\n$"
  grade --target tests/data/targets/course_herd_per_command.json)
