using Backprop.Data;
using Backprop.Nn;
using Backprop.Optim;
using Backprop.Training;

namespace Backprop.Tests.Training;

public sealed class TrainingSideBySideTests
{
    // Wide enough that the products go to the GEMM's worker threads, which only one training at a time can have.
    private static float[] TrainedWeights(int seed, bool convolutional)
    {
        var random = new Random(seed);
        var network = convolutional
            ? new Sequential<float>(new Conv2d<float>(1, 16, kernel: 3, random, padding: 1), new BatchNorm<float>(16),
                new ActivationLayer<float>(Activation.Relu), new MaxPool2d<float>(2), new Flatten<float>(),
                new Dropout<float>(0.3, random), new Linear<float>(16 * 4 * 4, 10, random))
            : new Sequential<float>(new Linear<float>(64, 512, random), new ActivationLayer<float>(Activation.Relu),
                new Dropout<float>(0.3, random), new Linear<float>(512, 512, random), new ActivationLayer<float>(Activation.Relu),
                new Linear<float>(512, 10, random));
        int[] shape = convolutional ? [1, 8, 8] : [64];
        string[] classes = [.. Enumerable.Range(0, 10).Select(c => $"c{c}")];
        const int Rows = 600;
        var features = new float[Rows * 64];
        for (int i = 0; i < features.Length; i++) features[i] = random.NextSingle();
        var data = DataSet.Classification(features, Rows, [.. Enumerable.Range(0, 64).Select(i => $"x{i}")], shape,
            [.. Enumerable.Range(0, Rows).Select(r => r % 10)], classes);
        var model = new TrainedModel(network, TaskKind.Classification, data.FeatureNames, shape, classes, null);
        Trainer.Fit(model, data, null, new Adam<float>(network.Parameters(), learningRate: 0.002),
            new TrainingOptions { Epochs = 2, BatchSize = 256, Seed = seed });
        return [.. network.Parameters().SelectMany(parameter => parameter.ToArray())];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Models_trained_on_several_threads_at_once_end_with_the_weights_of_one_after_another(bool convolutional)
    {
        float[][] alone = [.. Enumerable.Range(0, 3).Select(seed => TrainedWeights(seed, convolutional))];

        var together = new float[3][];
        Parallel.For(0, together.Length, seed => together[seed] = TrainedWeights(seed, convolutional));

        Assert.Equal(alone, together);
    }
}
