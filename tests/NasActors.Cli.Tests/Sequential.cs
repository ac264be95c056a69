// Each test here starts real `nas` processes that use both cores; run in parallel on a 2-core machine they slow each
// other past their timeouts. One at a time keeps every wait meaningful.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
