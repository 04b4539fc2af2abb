using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop.Kernels;

/// <summary>
/// 2-D convolution as im2col plus matrix products, one small group of images at a time, forward and backward,
/// with the groups shared out over the GEMM worker team.
/// NOTE: a group's columns are kept to about 256 KiB of float, so that they are still in L2 when the product
/// reads them (and, backward, when col2im reads the product). Bench (e)'s second layer took its whole batch of
/// 64 as one group, 7 MB of columns that went to memory and back: im2col alone took 1.3–2 ms there against
/// 0.4–0.7 ms in cache, and a step 8.2–8.6 ms against 6.6–6.9 ms with groups of two images (cnn-parts).
/// The products of such small groups are too small to split between threads (with groups of four or eight
/// images, whose products the GEMM did split, a step took 10–12 ms), so the threads share out whole groups.
/// Bits do not depend on the thread count: each output value comes from one group's product, and the weight
/// gradient sums the groups of a fixed lane in order, then the lanes in order.
/// </summary>
internal static unsafe class ConvolutionKernels
{
    private const int ColumnBudget = 1 << 16;

    // The weight gradient's partial sums: enough lanes for two threads to balance, few enough to add up cheaply.
    private const int MaxLanes = 4;

    /// <summary>Images per group for this geometry: as many as fit the column budget, at least one.</summary>
    public static int GroupSize(in Im2Col.Geometry g, int batch)
        => Math.Clamp(ColumnBudget / Math.Max(1, g.Rows * g.Positions), 1, Math.Max(batch, 1));

    private struct Job<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* Input, Weight, Bias, Output;   // forward; Bias may be null
        public T* DOutput, DInput, DWeightLanes; // backward; DInput and DWeightLanes are null when not wanted
        public T* DBiasLanes;                    // backward; null when not wanted
        public int LaneLength;                   // each lane's partial sums: the weight gradient, then the bias gradient
        public Im2Col.Geometry G;
        public int Batch, OutChannels, GroupSize, Groups, Lanes;
        public int Claimed;
    }

    /// <summary>output [N, Cout, positions] = weight [Cout, rows] ⊛ input [N, C, H, W] (+ bias [Cout]).</summary>
    public static void Forward<T>(T* input, T* weight, T* bias, T* output, in Im2Col.Geometry g, int batch, int outChannels,
        int maxThreads = int.MaxValue) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var job = NewJob<T>(g, batch, outChannels);
        job.Input = input; job.Weight = weight; job.Bias = bias; job.Output = output;
        Run(&ForwardGroups<T>, &job, job.Groups, maxThreads);
    }

    /// <summary>
    /// dInput [N, C, H, W] += col2im(weightᵀ · dOutput), dWeight [Cout, rows] += dOutput · im2col(input)ᵀ and
    /// dBias [Cout] += dOutput summed over images and positions, each only where its pointer is not null.
    /// </summary>
    /// <remarks>NOTE: the bias gradient is summed while dOutput passes by on its way into the products, rather than in a
    /// pass of its own over megabytes of gradient (~0.1 ms per convolution on bench (e)).</remarks>
    public static void Backward<T>(T* input, T* weight, T* dOutput, T* dInput, T* dWeight, T* dBias, in Im2Col.Geometry g,
        int batch, int outChannels, int maxThreads = int.MaxValue) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var job = NewJob<T>(g, batch, outChannels);
        job.Lanes = Math.Min(job.Groups, MaxLanes);
        int weightLength = dWeight is null ? 0 : outChannels * g.Rows, biasLength = dBias is null ? 0 : outChannels;
        job.LaneLength = weightLength + biasLength;
        int sumsLength = job.Lanes * job.LaneLength;
        T[]? lanes = sumsLength == 0 ? null : ArrayPool<T>.Shared.Rent(sumsLength);
        lanes?.AsSpan(0, sumsLength).Clear();
        fixed (T* lanesStart = lanes)
        {
            job.Input = input; job.Weight = weight; job.DOutput = dOutput; job.DInput = dInput;
            job.DWeightLanes = dWeight is null ? null : lanesStart;
            job.DBiasLanes = dBias is null ? null : lanesStart + weightLength;
            Run(&BackwardLanes<T>, &job, job.Lanes, maxThreads);
            for (int lane = 0; lane < job.Lanes; lane++)
            {
                T* sums = lanesStart + (nint)lane * job.LaneLength;
                if (dWeight is not null)
                    TensorPrimitives.Add(new Span<T>(dWeight, weightLength), new ReadOnlySpan<T>(sums, weightLength), new Span<T>(dWeight, weightLength));
                if (dBias is not null)
                    TensorPrimitives.Add(new Span<T>(dBias, biasLength), new ReadOnlySpan<T>(sums + weightLength, biasLength), new Span<T>(dBias, biasLength));
            }
        }
        if (lanes is not null) ArrayPool<T>.Shared.Return(lanes);
    }

    private static Job<T> NewJob<T>(in Im2Col.Geometry g, int batch, int outChannels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int groupSize = GroupSize(g, batch);
        return new Job<T> { G = g, Batch = batch, OutChannels = outChannels, GroupSize = groupSize, Groups = GemmDriver.Ceiling(batch, groupSize) };
    }

    // With one task the caller runs it alone, and the products inside may use the whole team.
    private static void Run<T>(delegate*<void*, int, int, void> body, Job<T>* job, int tasks, int maxThreads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int threads = Math.Min(Math.Min(maxThreads, GemmWorkers.MaxThreads), tasks);
        if (threads > 1 && GemmWorkers.TryRun(body, job, threads))
            return;
        body(job, 0, 1);
    }

    private static void ForwardGroups<T>(void* state, int member, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref Job<T> job = ref *(Job<T>*)state;
        Im2Col.Geometry g = job.G;
        int positions = g.Positions, outChannels = job.OutChannels, maxColumns = job.GroupSize * positions;
        T[]? cols = null, products = null;
        for (int group; (group = GemmDriver.Claim(ref job.Claimed, job.Groups)) >= 0;)
        {
            cols ??= ArrayPool<T>.Shared.Rent(g.Rows * maxColumns);
            products ??= ArrayPool<T>.Shared.Rent(outChannels * maxColumns);
            int first = group * job.GroupSize, count = Math.Min(job.GroupSize, job.Batch - first), columns = count * positions;
            Gather(job.Input, g, first, count, cols, columns);
            MatrixMultiply.Multiply<T>(new ReadOnlySpan<T>(job.Weight, outChannels * g.Rows), cols.AsSpan(0, g.Rows * columns),
                products.AsSpan(0, outChannels * columns), outChannels, columns, g.Rows);
            // products is [Cout, images·positions]; the output wants [images, Cout, positions].
            for (int image = 0; image < count; image++)
            for (int channel = 0; channel < outChannels; channel++)
            {
                var source = products.AsSpan(channel * columns + image * positions, positions);
                var target = new Span<T>(job.Output + ((nint)(first + image) * outChannels + channel) * positions, positions);
                // The bias rides along with the copy: one pass over the output instead of two.
                if (job.Bias is null) source.CopyTo(target);
                else TensorPrimitives.Add(source, job.Bias[channel], target);
            }
        }
        if (cols is not null) ArrayPool<T>.Shared.Return(cols);
        if (products is not null) ArrayPool<T>.Shared.Return(products);
    }

    // Lane l takes the groups [l·groups/lanes, (l+1)·groups/lanes) in order, summing its weight gradient apart.
    private static void BackwardLanes<T>(void* state, int member, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref Job<T> job = ref *(Job<T>*)state;
        Im2Col.Geometry g = job.G;
        int positions = g.Positions, outChannels = job.OutChannels, maxColumns = job.GroupSize * positions;
        var weight = new ReadOnlySpan<T>(job.Weight, outChannels * g.Rows);
        T[]? dProducts = null, cols = null;
        bool needsProducts = job.DWeightLanes is not null || job.DInput is not null;
        for (int lane; (lane = GemmDriver.Claim(ref job.Claimed, job.Lanes)) >= 0;)
        {
            if (needsProducts)
            {
                dProducts ??= ArrayPool<T>.Shared.Rent(outChannels * maxColumns);
                cols ??= ArrayPool<T>.Shared.Rent(g.Rows * maxColumns);
            }
            var laneGradient = job.DWeightLanes is null ? default : new Span<T>(job.DWeightLanes + (nint)lane * job.LaneLength, outChannels * g.Rows);
            T* laneBias = job.DBiasLanes is null ? null : job.DBiasLanes + (nint)lane * job.LaneLength;
            for (int group = lane * job.Groups / job.Lanes; group < (lane + 1) * job.Groups / job.Lanes; group++)
            {
                int first = group * job.GroupSize, count = Math.Min(job.GroupSize, job.Batch - first), columns = count * positions;
                for (int image = 0; image < count; image++)
                for (int channel = 0; channel < outChannels; channel++)
                {
                    var source = new ReadOnlySpan<T>(job.DOutput + ((nint)(first + image) * outChannels + channel) * positions, positions);
                    if (laneBias is not null)
                        laneBias[channel] += TensorPrimitives.Sum(source);
                    if (needsProducts)
                        source.CopyTo(dProducts!.AsSpan(channel * columns + image * positions, positions));
                }
                if (!needsProducts)
                    continue;
                var dY = dProducts!.AsSpan(0, outChannels * columns);
                if (job.DWeightLanes is not null)
                {
                    // dW [Cout, rows] += dY [Cout, columns] · colsᵀ.
                    Gather(job.Input, g, first, count, cols!, columns);
                    MatrixMultiply.Multiply<T>(dY, cols.AsSpan(0, g.Rows * columns), laneGradient, outChannels, g.Rows, columns,
                        transposeB: true, accumulate: true);
                }
                if (job.DInput is not null)
                {
                    // dCols [rows, columns] = Wᵀ · dY, then each column goes back onto the pixels it was read from.
                    var dCols = cols.AsSpan(0, g.Rows * columns);
                    MatrixMultiply.Multiply<T>(weight, dY, dCols, g.Rows, columns, outChannels, transposeA: true);
                    for (int image = 0; image < count; image++)
                        Im2Col.ScatterAdd<T>(dCols, g, columns, image * positions,
                            new Span<T>(job.DInput + (nint)(first + image) * g.ImageSize, g.ImageSize));
                }
            }
        }
        if (dProducts is not null) ArrayPool<T>.Shared.Return(dProducts);
        if (cols is not null) ArrayPool<T>.Shared.Return(cols);
    }

    private static void Gather<T>(T* images, in Im2Col.Geometry g, int first, int count, T[] cols, int columns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int image = 0; image < count; image++)
            Im2Col.Gather<T>(new ReadOnlySpan<T>(images + (nint)(first + image) * g.ImageSize, g.ImageSize), g,
                cols.AsSpan(0, g.Rows * columns), columns, image * g.Positions);
    }
}
