//! Tests of the capture reader on captures made with the writer.
