using System.Numerics;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>Which register tile the packed path uses; the best one the CPU accelerates is the default.</summary>
internal enum GemmKernelKind { Scalar, Vector128, Vector256, Vector512 }

/// <summary>Tile and cache-block sizes with the microkernel that goes with them.</summary>
internal readonly unsafe struct GemmPlan<T> where T : unmanaged, INumber<T>
{
    public readonly int Mr, Nr;     // register tile: Mr rows of op(A) times Nr columns of op(B)
    public readonly int Mc, Kc, Nc; // cache blocks: packed A is [Mc, Kc] (L2), a packed B micro-panel [Kc, Nr] (L1)
    public readonly delegate*<nint, T*, T*, T*, nint, bool, void> Kernel;

    /// <summary>This plan with other cache blocks (for tuning); Mc and Nc are rounded to whole tiles.</summary>
    public GemmPlan<T> WithBlocks(int mc, int kc, int nc)
        => new(Mr, Nr, Math.Max(1, (mc + Mr - 1) / Mr) * Mr, Math.Max(1, kc), Math.Max(1, (nc + Nr - 1) / Nr) * Nr, Kernel);

    private GemmPlan(int mr, int nr, int mc, int kc, int nc, delegate*<nint, T*, T*, T*, nint, bool, void> kernel)
    {
        Mr = mr; Nr = nr; Mc = mc; Kc = kc; Nc = nc; Kernel = kernel;
    }

    public static readonly GemmKernelKind BestKind =
        Vector512.IsHardwareAccelerated ? GemmKernelKind.Vector512
        : Vector256.IsHardwareAccelerated ? GemmKernelKind.Vector256
        : Vector128.IsHardwareAccelerated ? GemmKernelKind.Vector128
        : GemmKernelKind.Scalar;

    public static readonly GemmPlan<T> Best = For(BestKind);

    // NOTE: tuned on AMD Zen 5 (48 KiB L1d, 1 MiB L2 per core) by timing n = 1024 and 2048 (bench gemm-probe):
    // Kc = 512 floats (256 doubles) beat the textbook "B micro-panel fits L1" 256 by a few percent, as the
    // C tile is loaded and stored half as often; the Mc×Kc block of A (280 KiB) stays in L2.
    public static GemmPlan<T> For(GemmKernelKind kind)
    {
        int kc = 512 * 4 / sizeof(T);
        return kind switch
        {
            GemmKernelKind.Vector512 => new(14, 2 * Vector512<T>.Count, 10 * 14, kc, 4096,
                &GemmMicroKernel.Vector512Kernel<T>),
            GemmKernelKind.Vector256 => new(6, 2 * Vector256<T>.Count, 24 * 6, kc / 2, 4096,
                &GemmMicroKernel.Vector256Kernel<T>),
            GemmKernelKind.Vector128 => new(6, 2 * Vector128<T>.Count, 24 * 6, kc / 2, 4096,
                &GemmMicroKernel.Vector128Kernel<T>),
            _ => new(4, 4, 64, kc / 2, 4096, &GemmMicroKernel.ScalarKernel<T>),
        };
    }
}

/// <summary>
/// The GotoBLAS/BLIS loop nest around the microkernel: for each Nc-wide column block and Kc-deep slice,
/// pack B once (shared by all threads); then for each block of rows, pack A; then sweep the register
/// tiles, B micro-panel outer so it stays in L1 while A micro-panels stream from L2.
/// NOTE: threads claim work (B micro-panels to pack, then row blocks × column chunks to multiply) from
/// shared counters instead of owning a fixed share, so a thread the OS has descheduled holds up nobody:
/// the others take its share, and a worker that arrives late finds nothing left and leaves.
/// </summary>
internal static unsafe class GemmDriver
{
    // Below this many multiply-adds (about 10 µs on one core) a second thread costs more to wake than it
    // saves: at 2^18 the batch-32 MLP products of bench (c) (32×32×784) ran slower on two threads than on one.
    internal const long ParallelThreshold = 1L << 21;

    private struct Job<T> where T : unmanaged, INumber<T>
    {
        public T* A, B, C;
        public int M, N, K;
        public bool TransposeA, TransposeB, Accumulate;
        public GemmPlan<T> Plan;
        public int Threads;
        public T* PackedB;       // two [Kc, Nc] buffers, alternating between consecutive slices
        public nint PackedBSize;
        // Monotonic counters over the whole job; slice s uses buffer s & 1.
        public int PanelsClaimed, ItemsClaimed;
        public fixed int PanelsPacked[2];
        public fixed int ItemsDone[2];
    }

    public static void Multiply<T>(T* a, T* b, T* c, int m, int n, int k, bool transposeA, bool transposeB,
        bool accumulate, in GemmPlan<T> plan, int maxThreads) where T : unmanaged, INumber<T>
    {
        var job = new Job<T>
        {
            A = a, B = b, C = c, M = m, N = n, K = k,
            TransposeA = transposeA, TransposeB = transposeB, Accumulate = accumulate, Plan = plan,
        };
        int threads = Math.Clamp(maxThreads, 1, GemmWorkers.MaxThreads);
        job.Threads = threads;
        job.PackedBSize = (nint)Math.Min(plan.Kc, k) * Math.Min(plan.Nc, RoundUp(n, plan.Nr));
        job.PackedB = GemmBuffers.PackedB<T>(2 * job.PackedBSize);
        if (threads > 1 && GemmWorkers.TryRun(&Run<T>, &job, threads))
            return;
        job.Threads = 1;
        Run<T>(&job, 0, 1);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static int Ceiling(int value, int divisor) => (value + divisor - 1) / divisor;

    // Claims the next of the counter's values below `end`; -1 when they are all taken.
    private static int Claim(ref int counter, int end)
    {
        while (true)
        {
            int next = Volatile.Read(ref counter);
            if (next >= end)
                return -1;
            if (Interlocked.CompareExchange(ref counter, next + 1, next) == next)
                return next;
        }
    }

    private static void WaitUntilAtLeast(ref int counter, int target)
    {
        if (Volatile.Read(ref counter) >= target)
            return;
        var spinner = new SpinWait();
        while (Volatile.Read(ref counter) < target)
            spinner.SpinOnce(sleep1Threshold: -1);
    }

    private static void Run<T>(void* state, int member, int threads) where T : unmanaged, INumber<T>
    {
        ref Job<T> job = ref *(Job<T>*)state;
        GemmPlan<T> plan = job.Plan;
        int mr = plan.Mr, nr = plan.Nr;
        threads = job.Threads;
        nint lda = job.TransposeA ? job.M : job.K;
        nint ldb = job.TransposeB ? job.K : job.N;
        nint ldc = job.N;

        // Row blocks hold whole register tiles, as evenly as possible, a multiple of the thread count.
        int rowTiles = Ceiling(job.M, mr);
        int rowBlocks = Math.Min(rowTiles, RoundUp(Ceiling(rowTiles * mr, plan.Mc), threads));
        int mcMax = Ceiling(rowTiles, rowBlocks) * mr;
        int kcMax = Math.Min(plan.Kc, job.K);
        T* packedA = GemmBuffers.PackedA<T>((nint)mcMax * kcMax);

        int slice = 0, panelsBefore = 0, itemsBefore = 0;
        int panelsThrough0 = 0, panelsThrough1 = 0, itemsBefore0 = 0, itemsBefore1 = 0;
        for (int jc = 0; jc < job.N; jc += plan.Nc)
        {
            int nc = Math.Min(plan.Nc, job.N - jc);
            int panels = Ceiling(nc, nr);
            // Too few row blocks to go round: cut the columns into chunks as well.
            int columnChunks = threads == 1 ? 1 : Math.Min(panels, Ceiling(2 * threads, rowBlocks));
            int items = rowBlocks * columnChunks;
            for (int pc = 0; pc < job.K; pc += plan.Kc, slice++)
            {
                int kc = Math.Min(plan.Kc, job.K - pc);
                int parity = slice & 1;
                T* packedB = job.PackedB + parity * job.PackedBSize;
                ref int panelsPacked = ref job.PanelsPacked[parity];
                ref int itemsDone = ref job.ItemsDone[parity];
                ref int panelsThrough = ref parity == 0 ? ref panelsThrough0 : ref panelsThrough1;
                ref int itemsSameParityBefore = ref parity == 0 ? ref itemsBefore0 : ref itemsBefore1;

                // This buffer last held slice - 2: every item of that slice must be done before it is rewritten.
                WaitUntilAtLeast(ref itemsDone, itemsSameParityBefore);
                for (int q; (q = Claim(ref job.PanelsClaimed, panelsBefore + panels)) >= 0;)
                {
                    q -= panelsBefore;
                    GemmPacking.PackB(job.B, ldb, job.TransposeB, pc, kc, jc, nc, nr, q, q + 1, packedB);
                    Interlocked.Increment(ref panelsPacked);
                }
                panelsThrough += panels;
                panelsBefore += panels;
                WaitUntilAtLeast(ref panelsPacked, panelsThrough);
                // Slice s adds onto the C tiles that slice s - 1 writes: let that slice finish first.
                WaitUntilAtLeast(ref job.ItemsDone[1 - parity], parity == 0 ? itemsBefore1 : itemsBefore0);

                bool addToC = job.Accumulate || pc > 0;
                int packedRowBlock = -1;
                for (int item; (item = Claim(ref job.ItemsClaimed, itemsBefore + items)) >= 0;)
                {
                    item -= itemsBefore;
                    int rowBlock = item / columnChunks, chunk = item % columnChunks;
                    int ic = (int)((long)rowTiles * rowBlock / rowBlocks) * mr;
                    int mc = Math.Min((int)((long)rowTiles * (rowBlock + 1) / rowBlocks) * mr, job.M) - ic;
                    int firstPanel = (int)((long)panels * chunk / columnChunks);
                    int endPanel = (int)((long)panels * (chunk + 1) / columnChunks);
                    if (rowBlock != packedRowBlock)
                    {
                        GemmPacking.PackA(job.A, lda, job.TransposeA, ic, mc, pc, kc, mr, packedA);
                        packedRowBlock = rowBlock;
                    }
                    int jr = firstPanel * nr;
                    MacroKernel(in plan, mc, Math.Min(endPanel * nr, nc) - jr, kc, packedA, packedB + (nint)jr * kc,
                        job.C + ic * ldc + jc + jr, ldc, addToC);
                    Interlocked.Increment(ref itemsDone);
                }
                itemsSameParityBefore += items;
                itemsBefore += items;
            }
        }
        // The job (on the caller's stack) is finished only when every claimed item is done.
        WaitUntilAtLeast(ref job.ItemsDone[0], itemsBefore0);
        WaitUntilAtLeast(ref job.ItemsDone[1], itemsBefore1);
    }

    // C[mc, nc] (+)= packedA[mc, kc] · packedB[kc, nc], one register tile at a time.
    private static void MacroKernel<T>(in GemmPlan<T> plan, int mc, int nc, int kc, T* packedA, T* packedB,
        T* c, nint ldc, bool addToC) where T : unmanaged, INumber<T>
    {
        int mr = plan.Mr, nr = plan.Nr;
        var kernel = plan.Kernel;
        T* edge = stackalloc T[mr * nr];
        for (int jr = 0; jr < nc; jr += nr)
        {
            int columns = Math.Min(nr, nc - jr);
            T* panelB = packedB + (nint)jr * kc;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                T* panelA = packedA + (nint)ir * kc;
                T* tile = c + ir * ldc + jr;
                if (rows == mr && columns == nr)
                {
                    kernel(kc, panelA, panelB, tile, ldc, addToC);
                    continue;
                }
                // Edge tile: compute the padded tile aside, then keep only the part inside C.
                kernel(kc, panelA, panelB, edge, nr, false);
                for (int i = 0; i < rows; i++)
                {
                    T* source = edge + i * nr;
                    T* target = tile + i * ldc;
                    if (addToC)
                        for (int j = 0; j < columns; j++) target[j] += source[j];
                    else
                        for (int j = 0; j < columns; j++) target[j] = source[j];
                }
            }
        }
    }
}
