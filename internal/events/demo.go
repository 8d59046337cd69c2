package events

// DemoHistoryWritten records, only in the demo (serve --demo), how far
// its two years of past work have been written (subject tenant): appended
// once with nothing written when the history is planned, then with each
// month of it in that month's transaction, so a server stopped part-way
// continues from the next month and never writes a month twice.
const DemoHistoryWritten = "demo.history_written"
