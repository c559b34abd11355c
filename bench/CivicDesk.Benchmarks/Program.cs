// Benchmarks land with the ingestion pipeline (bench/README.md).
Console.WriteLine("usage: CivicDesk.Benchmarks ingest");
