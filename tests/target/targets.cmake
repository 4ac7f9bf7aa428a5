# Scenarios played against external herds through `herdsim run --target` (docs/target.md):
# the course-style Python fixture, and herdsim's own `serve --node` processes.
herdsim_test(target_file_test target_file_test.cpp)
herdsim_test(target_report_test target_report_test.cpp)
set(target_out ${CMAKE_BINARY_DIR}/target-results)
set(target_data ${CMAKE_CURRENT_SOURCE_DIR}/data/targets)
set(python_target ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/python_herd/target.json)

# What the Python fixture can run. docs/target.md lists the others with the reason.
set(python_scenarios w22-grading seed-walkthrough crash-mid-flood link-faults
    slow-places-no-hold-up bad-client-input pause-resume)
foreach(name IN LISTS python_scenarios)
  add_test(NAME "target python: ${name}"
           COMMAND herdsim run ${PROJECT_SOURCE_DIR}/scenarios/${name}.json --target ${python_target} --out ${target_out})
  set_tests_properties("target python: ${name}" PROPERTIES TIMEOUT 120 LABELS target)
endforeach()
# Direct links: no relays, knowledge seen by WHATSAT polls only.
add_test(NAME "target python direct: seed-walkthrough"
         COMMAND herdsim run ${PROJECT_SOURCE_DIR}/scenarios/seed-walkthrough.json --target ${target_data}/python_direct.json
                 --out ${target_out})
set_tests_properties("target python direct: seed-walkthrough" PROPERTIES TIMEOUT 120 LABELS target)

# herdsim's own server, one process per node: every scenario it can run gets the same verdicts as
# in-process. Not here: grid25-delay and random200-storm (25 and 200 processes: too long for CTest),
# ring-dead-node and restart-gets-queued (see docs/target.md).
file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/serve-target.json CONTENT
  "{\"command\": [\"$<TARGET_FILE:herdsim>\", \"serve\", \"--config\", \"{config}\", \"--node\", \"{name}\", \"--log-dir\", \"{log_dir}\"],\n \"ready_timeout_ms\": 30000}\n")
set(serve_scenarios bad-client-input crash-mid-flood link-faults one-way-cut partition-heal pause-resume places-failures
    places-new-api reset-partial-line restart-catches-up seed-walkthrough slow-places-no-hold-up w22-grading)
foreach(name IN LISTS serve_scenarios)
  add_test(NAME "target serve: ${name}"
           COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/target/same_verdicts.py $<TARGET_FILE:herdsim>
                   ${CMAKE_CURRENT_BINARY_DIR}/serve-target.json ${target_out} ${PROJECT_SOURCE_DIR}/scenarios/${name}.json)
  set_tests_properties("target serve: ${name}" PROPERTIES TIMEOUT 300 LABELS target)
endforeach()

# The same servers read by a half-closing client, which births a report at its reply: they flood
# before they answer, so the neighbours' lines come before the birth and must still be counted.
file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/serve-target-half-close.json CONTENT
  "{\"command\": [\"$<TARGET_FILE:herdsim>\", \"serve\", \"--config\", \"{config}\", \"--node\", \"{name}\", \"--log-dir\", \"{log_dir}\"],\n \"client\": \"half_close\", \"ready_timeout_ms\": 30000}\n")
add_test(NAME "target serve half_close: workload_messages"
         COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/target/same_verdicts.py $<TARGET_FILE:herdsim>
                 ${CMAKE_CURRENT_BINARY_DIR}/serve-target-half-close.json ${target_out}
                 ${CMAKE_CURRENT_SOURCE_DIR}/data/scenarios/workload_messages.json)
set_tests_properties("target serve half_close: workload_messages" PROPERTIES TIMEOUT 300 LABELS target)

# A per_burst `serve --node` whose connection is cut while the relay holds its line: the line is
# caught up after the heal, not taken as read because the neighbour said nothing.
herdsim_cli_test("target serve: a line held at a cut is caught up, none lost" 0
  "\ncut-held-line +PASS "
  run ${PROJECT_SOURCE_DIR}/scenarios/cut-held-line.json --target ${CMAKE_CURRENT_BINARY_DIR}/serve-target.json
      --out ${target_out})

# The timeline waits for a target's start-up exchange (servers that talk 100 ms after they listen).
add_test(NAME "target: the timeline starts after the servers' start-up exchange"
         COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/target/startup_settles.py $<TARGET_FILE:herdsim> ${target_out})
set_tests_properties("target: the timeline starts after the servers' start-up exchange" PROPERTIES TIMEOUT 120 LABELS target
                     SKIP_RETURN_CODE 77)

# What a target must not get away with.
herdsim_cli_test("a target that does not listen exits 2 with its stderr" 2
  "did not accept a connection on port [0-9]+ within 1500 ms[^\n]*\n[A-Za-z]+ refuses to listen"
  run ${PROJECT_SOURCE_DIR}/scenarios/w22-grading.json --target ${target_data}/not_listening.json --out ${target_out})
herdsim_cli_test("a direct-links target refuses a cut, naming the step" 2
  "link-faults.json: steps\\[[0-9]+\\]\\.cut: needs herdsim's relays"
  run ${PROJECT_SOURCE_DIR}/scenarios/link-faults.json --target ${target_data}/python_direct.json --out ${target_out})
herdsim_cli_test("a target refuses a places step that must empty a Places cache, naming the step; the rest runs" 2
  "\nw22-grading +PASS .*places-cache-cleared.json: steps\\[2\\]\\.places: empties every server's Places cache, [^\n]*the scenario turns the cache on \\(places\\.cache_ttl_ms 600000\\)"
  run ${PROJECT_SOURCE_DIR}/scenarios/places-cache-cleared.json ${PROJECT_SOURCE_DIR}/scenarios/w22-grading.json
      --target ${python_target} --out ${target_out})
herdsim_cli_test("a direct-links target refuses that places step too" 2
  "places-cache-cleared.json: steps\\[2\\]\\.places: empties every server's Places cache"
  run ${PROJECT_SOURCE_DIR}/scenarios/places-cache-cleared.json --target ${target_data}/python_direct.json --out ${target_out})
herdsim_cli_test("a Python herd that does not flood fails a flood scenario" 1
  "FAILED [^\n]*w22-grading.json: steps\\[[0-9]+\\]: "
  run ${PROJECT_SOURCE_DIR}/scenarios/w22-grading.json --target ${target_data}/python_no_flood.json --out ${target_out})
herdsim_cli_test("a target file with an unknown field exits 2 naming it" 2
  "unknown_field.json: link: unknown field"
  run ${PROJECT_SOURCE_DIR}/scenarios/w22-grading.json --target ${target_data}/unknown_field.json --out ${target_out})
herdsim_cli_test("a target file with an unknown placeholder exits 2 naming it" 2
  "bad_placeholder.json: command\\[2\\]: unknown placeholder \\{nmae\\}"
  run ${PROJECT_SOURCE_DIR}/scenarios/w22-grading.json --target ${target_data}/bad_placeholder.json --out ${target_out})
add_test(NAME "target: SIGINT to herdsim run leaves no server process"
         COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/target/sigint_cleanup.py $<TARGET_FILE:herdsim> ${python_target}
                 ${CMAKE_CURRENT_SOURCE_DIR}/data/targets/long_wait.json ${target_out}/sigint)
set_tests_properties("target: SIGINT to herdsim run leaves no server process" PROPERTIES TIMEOUT 120 LABELS target)

# A pause stops the server's process group (state T while paused), and neither an interrupted run
# nor one that ends while a server is paused leaves a process behind.
add_test(NAME "target: a paused server is a stopped process, and no stopped process outlives the run"
         COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/target/pause_cleanup.py $<TARGET_FILE:herdsim> ${python_target}
                 ${CMAKE_CURRENT_SOURCE_DIR}/data/scenarios/pause_held.json
                 ${CMAKE_CURRENT_SOURCE_DIR}/data/scenarios/pause_at_end.json ${target_out}/pause)
set_tests_properties("target: a paused server is a stopped process, and no stopped process outlives the run" PROPERTIES
                     TIMEOUT 240 LABELS target)

# What a paused server is sent waits in the kernel: the update born during the pause reaches
# Hamilton at its resume, 1 s after the report, not when a relay wrote it to the stopped server.
herdsim_cli_test("a paused target server stores what it is sent at its resume, not before" 0
  "\n  steps\\[2\\]\\.pause Hamilton +1 +0 +0 +[1-9][0-9][0-9][0-9]+\\.[0-9]+ "
  run ${PROJECT_SOURCE_DIR}/scenarios/pause-resume.json --target ${python_target} --out ${target_out})

# A poll is read for what it says, never for what it lacks: a WHATSAT reply that ends after "}\n"
# and closes still shows the record; one herdsim cannot read leaves the check UNCHECKED with the
# bytes it got, never "does not know", and a convergence seen through no readable poll is no pass.
set(polled ${CMAKE_CURRENT_SOURCE_DIR}/data/scenarios/polled_knowledge.json)
herdsim_cli_test("a target's WHATSAT reply closed after its Places answer still shows the record" 0
  "\npolled-knowledge +PASS "
  run ${polled} --target ${target_data}/python_whatsat_close.json --out ${target_out})
herdsim_cli_test("an unreadable WHATSAT reply leaves the checks UNCHECKED, showing what was sent and got" 0
  "UNCHECKED [^\n]*steps\\[2\\]: Clark knows kiwi\\.cs\\.ucla\\.edu\n +unreadable reply to \"WHATSAT kiwi\\.cs\\.ucla\\.edu 1 1\\\\n\": \" \\\\n \\\\n\"[^\n]* at [0-9.]+ ms\n.*UNCHECKED [^\n]*steps\\[3\\]: the herd converged\n +5 polls could not be read, first: "
  run ${polled} --target ${target_data}/python_whatsat_garble.json --out ${target_out})

# Flood lines herdsim cannot count are named, and the checks built on them UNCHECKED, never "0
# messages per update": a private flood format, and servers that bypass the relays (the course
# fixture hard-codes its neighbours' ports; it takes the w22 ports, so it shares their lock).
herdsim_cli_test("flood lines in a private format are counted and named; message counts UNCHECKED" 0
  "UNCHECKED [^\n]*steps\\[3\\]: messages per update\n +[0-9]+ flood lines herdsim could not read [^\n]*, first: \"AT Juzang [^\"]* Juzang Juzang\""
  run ${PROJECT_SOURCE_DIR}/scenarios/w22-grading.json --target ${target_data}/python_flood_visited.json --out ${target_out})
herdsim_cli_test("relayed links no server used are reported with what to do instead" 0
  "UNCHECKED [^\n]*steps\\[3\\]: messages per update\n +no server connected to any of herdsim's 12 relays[^\n]*\"links\": \"direct\""
  run ${PROJECT_SOURCE_DIR}/scenarios/w22-grading.json --target ${target_data}/course_herd_relayed.json --out ${target_out})
set_tests_properties("cli: relayed links no server used are reported with what to do instead" PROPERTIES RESOURCE_LOCK w22-ports)

# A scenario can require that a named connection stays open: a server that answers one command per
# connection fails it; a persistent one passes.
herdsim_cli_test("keep_open fails a server that closes the connection after one command" 1
  "FAILED [^\n]*kept_open.json: steps\\[1\\]: connection c to Juzang still open\n +the server closed it after the last reply on it"
  run ${CMAKE_CURRENT_SOURCE_DIR}/data/scenarios/kept_open.json --target ${target_data}/course_herd_per_command.json --out ${target_out})
set_tests_properties("cli: keep_open fails a server that closes the connection after one command" PROPERTIES RESOURCE_LOCK w22-ports)
herdsim_cli_test("keep_open passes a persistent server" 0 "\nkept-open +PASS "
  run ${CMAKE_CURRENT_SOURCE_DIR}/data/scenarios/kept_open.json --target ${python_target} --out ${target_out})

# A workload against servers that read one command per connection: with "client": "per_command"
# each report goes on a connection of its own, read by the server, so none is lost (written on one
# connection, every report after the first would be). Direct links: the servers hard-code their
# neighbours' ports, so polls see every record.
herdsim_cli_test("a workload against a one-command-per-connection herd loses nothing" 0
  "\nworkload-per-command +PASS "
  run ${CMAKE_CURRENT_SOURCE_DIR}/data/scenarios/workload_per_command.json
      --target ${target_data}/course_herd_per_command_direct.json --out ${target_out})
set_tests_properties("cli: a workload against a one-command-per-connection herd loses nothing" PROPERTIES RESOURCE_LOCK w22-ports)
herdsim_cli_test("a half-closing workload against a herd that reads until the end of the stream loses nothing" 0
  "\nworkload-per-command +PASS "
  run ${CMAKE_CURRENT_SOURCE_DIR}/data/scenarios/workload_per_command.json
      --target ${target_data}/course_herd_eof.json --out ${target_out})
set_tests_properties("cli: a half-closing workload against a herd that reads until the end of the stream loses nothing"
  PROPERTIES RESOURCE_LOCK w22-ports)

# A report sent on a connection of its own is born at the server's reply or close, the proof that
# the server read it: servers that take 1.5 s over each report before handling it show no 1.5 s of
# flood latency; servers that flood it 1.5 s before they answer lose none of it.
herdsim_cli_test("a one-command workload's report is born at the reply: a server's time before it handles one is no latency" 0
  "\nworkload-late-answer +PASS "
  run ${CMAKE_CURRENT_SOURCE_DIR}/data/scenarios/workload_late_answer.json
      --target ${target_data}/course_herd_late_answer.json --out ${target_out})
herdsim_cli_test("a one-command workload's report flooded before the reply is not lost" 0
  "\nworkload-late-answer +PASS "
  run ${CMAKE_CURRENT_SOURCE_DIR}/data/scenarios/workload_late_answer.json
      --target ${target_data}/course_herd_late_reply.json --out ${target_out})

# A target whose servers read until the end of the stream before answering: with "client":
# "half_close" every send half-closes, and the polls ask as the course's client does.
herdsim_cli_test("a half-closing client runs a herd that reads until the end of the stream" 0 "\npolled-knowledge +PASS "
  run ${polled} --target ${target_data}/course_herd_eof.json --out ${target_out})
set_tests_properties("cli: a half-closing client runs a herd that reads until the end of the stream" PROPERTIES RESOURCE_LOCK w22-ports)

# `herdsim load --client` against the course-style fixture's herd, five real processes: each style
# measures the herd that reads that way, and a persistent client cannot measure a herd that closes
# after one command.
set(course_server ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/course_herd/server.py)
function(load_style_test style client code text)
  set(name "load: --client ${client} against a ${style} herd exits ${code}")
  add_test(NAME ${name}
           COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/target/load_styles.py $<TARGET_FILE:herdsim> ${course_server}
                   ${style} ${client} ${code} ${text})
  set_tests_properties(${name} PROPERTIES TIMEOUT 180 RESOURCE_LOCK w22-ports LABELS target)
endfunction()
load_style_test(per-command per_command 0 "1000 of 1000 (client, server) pairs")
load_style_test(eof half_close 0 "1000 of 1000 (client, server) pairs")
load_style_test(per-command persistent 1 "closed by the server")
