namespace Backprop.Kernels;

/// <summary>
/// A small persistent team of background threads for large products. The calling thread is member 0
/// and works too. Nothing here allocates per call: a job is a function pointer plus a pointer to the
/// caller's state, which lives on the caller's stack until no worker is inside the job any more.
/// </summary>
internal static unsafe class GemmWorkers
{
    // NOTE: a worker spins this long for the next job before it sleeps: training loops call GEMMs back
    // to back, and a futex wake-up costs more than a small product.
    private const long SpinNanoseconds = 50_000;

    // BACKPROP_GEMM_THREADS caps the team, e.g. at 1 while other work shares the cores.
    public static readonly int MaxThreads = Math.Clamp(
        int.TryParse(Environment.GetEnvironmentVariable("BACKPROP_GEMM_THREADS"), out int cap) ? cap : Environment.ProcessorCount,
        1, Math.Min(Environment.ProcessorCount, 16));

    private static readonly object StartLock = new();
    private static Worker[]? workers;
    private static int busy;
    private static delegate*<void*, int, int, void> body;
    private static void* state;
    private static int threads;
    // A worker may wake late, after the caller has finished the job alone; it joins only while the job is
    // open, and the caller does not return (and free the state on its stack) while any worker is inside.
    private static int open;
    private static int inside;

    /// <summary>
    /// Offers body(state, member, threadCount) to workers 1 .. threadCount-1, runs it as member 0, and returns
    /// once no worker is still inside it. The body must not depend on every member showing up: a descheduled
    /// worker may join late or never. Returns false without running anything when the team is busy.
    /// </summary>
    public static bool TryRun(delegate*<void*, int, int, void> work, void* workState, int threadCount)
    {
        if (threadCount <= 1 || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
            return false;
        try
        {
            Worker[] team = workers ?? Start();
            body = work;
            state = workState;
            threads = threadCount;
            Interlocked.Exchange(ref open, 1);
            for (int w = 0; w < threadCount - 1; w++)
                team[w].Post();

            work(workState, 0, threadCount);

            Interlocked.Exchange(ref open, 0);
            var spinner = new SpinWait();
            while (Volatile.Read(ref inside) != 0)
                spinner.SpinOnce(sleep1Threshold: -1);
            return true;
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    private static Worker[] Start()
    {
        lock (StartLock)
        {
            if (workers is null)
            {
                var team = new Worker[MaxThreads - 1];
                for (int w = 0; w < team.Length; w++)
                    team[w] = new Worker(w + 1);
                workers = team;
            }
            return workers;
        }
    }

    private sealed class Worker
    {
        private readonly int member;
        private readonly ManualResetEventSlim signal = new(false, spinCount: 0);
        private int sleeping;
        private long posted;

        public Worker(int member)
        {
            this.member = member;
            new Thread(Loop) { IsBackground = true, Name = $"Backprop GEMM worker {member}" }.Start();
        }

        public void Post()
        {
            Interlocked.Increment(ref posted);
            if (Volatile.Read(ref sleeping) != 0)
                signal.Set();
        }

        private void Loop()
        {
            long done = 0;
            long spinTicks = SpinNanoseconds * System.Diagnostics.Stopwatch.Frequency / 1_000_000_000;
            while (true)
            {
                long started = System.Diagnostics.Stopwatch.GetTimestamp();
                while (Volatile.Read(ref posted) == done)
                {
                    if (System.Diagnostics.Stopwatch.GetTimestamp() - started < spinTicks)
                    {
                        Thread.SpinWait(20);
                        continue;
                    }
                    // Announce the sleep, then look once more, so a job posted in between is not missed.
                    signal.Reset();
                    Interlocked.Exchange(ref sleeping, 1);
                    if (Volatile.Read(ref posted) == done)
                        signal.Wait();
                    Interlocked.Exchange(ref sleeping, 0);
                    started = System.Diagnostics.Stopwatch.GetTimestamp();
                }
                done = Volatile.Read(ref posted);
                Interlocked.Increment(ref inside);
                if (Volatile.Read(ref open) != 0)
                    body(state, member, threads);
                Interlocked.Decrement(ref inside);
            }
        }
    }
}
