#pragma once
// Ctrl-C during `herdsim run`: the first SIGINT or SIGTERM only raises a flag, so the run in
// progress stops at once and still writes its results (summary.json says it was interrupted); a
// second one ends the process as usual. Raising the flag also makes wake_fd() readable, so an event
// loop waiting on it wakes at once.
namespace herd::sim {

class InterruptFlag {
public:
    InterruptFlag();   // installs the handler; one at a time
    ~InterruptFlag();  // restores the handlers it replaced
    InterruptFlag(const InterruptFlag&) = delete;
    InterruptFlag& operator=(const InterruptFlag&) = delete;

    bool raised() const;
    int wake_fd() const;  // readable once the flag is raised
};

}  // namespace herd::sim
