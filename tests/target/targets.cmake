# Scenarios played against external herds through `herdsim run --target` (docs/target.md):
# the course-style Python fixture, and herdsim's own `serve --node` processes.
herdsim_test(target_file_test target_file_test.cpp)
