using System.Diagnostics;
using Backprop.Kernels;
using Backprop.Nn;

namespace Backprop.Bench;

/// <summary>
/// `cnn-parts`: milliseconds per step of each layer of bench (e)'s CNN (batch 64, in a tensor arena, as training
/// runs it), the whole backward pass, and the convolution's im2col and col2im alone at its second layer's shape (one group
/// of images at a time, as the convolution runs them).
/// </summary>
internal static class CnnParts
{
    private const int Batch = 64, WarmUpSteps = 20, Steps = 200;

    public static int Run(string[] args)
    {
        TimeLayers();
        TimeIm2Col();
        return 0;
    }

    private static void TimeLayers()
    {
        var random = new Random(0);
        var layers = new Module<float>[]
        {
            // NOTE: in the order Sequential runs them: max pooling before ReLU (see Sequential.ReluThenMaxPool).
            new Conv2d<float>(1, 16, 3, random, padding: 1), new MaxPool2d<float>(2), new ActivationLayer<float>(Activation.Relu),
            new Conv2d<float>(16, 32, 3, random, padding: 1), new MaxPool2d<float>(2), new ActivationLayer<float>(Activation.Relu),
            new Flatten<float>(), new Linear<float>(32 * 7 * 7, 10, random),
        };
        var input = Tensor.FromArray(Enumerable.Range(0, Batch * 784).Select(_ => (float)random.NextDouble()).ToArray(), Batch, 1, 28, 28);
        var arena = new TensorArena();
        var forward = new double[layers.Length];
        double backward = 0;
        for (int step = 0; step < WarmUpSteps + Steps; step++)
        {
            bool timed = step >= WarmUpSteps;
            using (arena.Activate())
            {
                var activations = input;
                for (int l = 0; l < layers.Length; l++)
                {
                    long start = Stopwatch.GetTimestamp();
                    activations = layers[l].Forward(activations);
                    if (timed) forward[l] += Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
                long backwardStart = Stopwatch.GetTimestamp();
                activations.Sum().Backward();
                if (timed) backward += Stopwatch.GetElapsedTime(backwardStart).TotalMilliseconds;
                foreach (var parameter in layers.SelectMany(layer => layer.Parameters())) parameter.ZeroGrad();
            }
            arena.Recycle();
        }
        Console.WriteLine($"(e) CNN, batch {Batch}: ms per step, mean of {Steps}");
        for (int l = 0; l < layers.Length; l++) Console.WriteLine($"  forward  {layers[l],-60} {forward[l] / Steps,7:F3}");
        Console.WriteLine($"  backward (every layer)                                              {backward / Steps,7:F3}");
    }

    // As the convolution runs them: one group of images at a time, through a buffer the size of one group.
    private static void TimeIm2Col()
    {
        var g = new Im2Col.Geometry(16, 14, 14, 3, 1, 1);
        int group = ConvolutionKernels.GroupSize(g, Batch), rowStride = group * g.Positions;
        float[] images = new float[Batch * g.ImageSize];
        float[] columns = new float[g.Rows * rowStride];
        for (int round = 0; round < 3; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int repetition = 0; repetition < 100; repetition++)
                for (int image = 0; image < Batch; image++)
                    Im2Col.Gather<float>(images.AsSpan(image * g.ImageSize, g.ImageSize), g, columns, rowStride, image % group * g.Positions);
            double gather = Stopwatch.GetElapsedTime(start).TotalMilliseconds / 100;
            start = Stopwatch.GetTimestamp();
            for (int repetition = 0; repetition < 100; repetition++)
                for (int image = 0; image < Batch; image++)
                    Im2Col.ScatterAdd<float>(columns, g, rowStride, image % group * g.Positions, images.AsSpan(image * g.ImageSize, g.ImageSize));
            double scatter = Stopwatch.GetElapsedTime(start).TotalMilliseconds / 100;
            Console.WriteLine($"16 → 32 layer's shape, {Batch} images in groups of {group}: im2col {gather:F3} ms, col2im {scatter:F3} ms (one thread)");
        }
    }
}
