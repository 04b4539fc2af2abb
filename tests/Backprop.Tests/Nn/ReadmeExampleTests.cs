using Backprop.Nn;
using Backprop.Optim;

namespace Backprop.Tests.Nn;

/// <summary>The README's library example, kept compiling and working.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_learns_its_batch()
    {
        var random = new Random(0);
        var model = new Sequential<float>(
            new Linear<float>(4, 16, random), new ActivationLayer<float>(Activation.Relu),
            new Linear<float>(16, 3, random));
        var optimizer = new Adam<float>(model.Parameters(), learningRate: 0.01);

        var x = Tensor.Uniform(random, -1f, 1f, 8, 4);
        int[] labels = [0, 1, 2, 0, 1, 2, 0, 1];
        float first = 0, last = 0;
        for (int step = 0; step < 100; step++)
        {
            optimizer.ZeroGrad();
            var loss = Loss.CrossEntropy(model.Forward(x), labels);
            loss.Backward();
            optimizer.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        using (GradMode.NoGrad()) Assert.Equal(labels, model.Forward(x).Argmax(1));
        Assert.True(last < first / 5, $"loss went from {first} to {last}");
    }

    [Fact]
    public void The_readme_cnn_example_builds_trains_and_switches_to_inference()
    {
        var random = new Random(0);
        var cnn = new Sequential<float>(
            new Conv2d<float>(1, 8, kernel: 3, random, padding: 1), new BatchNorm<float>(8),
            new ActivationLayer<float>(Activation.Relu), new MaxPool2d<float>(2),
            new Flatten<float>(), new Dropout<float>(0.25), new Linear<float>(8 * 4 * 4, 10, random));
        var images = Tensor.Uniform(random, 0f, 1f, 16, 1, 8, 8);
        int[] labels = Enumerable.Range(0, 16).Select(i => i % 10).ToArray();
        var optimizer = new Adam<float>(cnn.Parameters(), learningRate: 0.01);
        float first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            optimizer.ZeroGrad();
            var loss = Loss.CrossEntropy(cnn.Forward(images), labels);
            loss.Backward();
            optimizer.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.Equal([16, 10], cnn.Forward(images).Shape.ToArray());
        Assert.True(last < first / 3, $"loss went from {first} to {last}");

        cnn.SetTraining(false);
        using (GradMode.NoGrad())
        {
            // Inference is deterministic (no dropout) and uses the running statistics batch norm gathered.
            Assert.Equal(cnn.Forward(images).ToArray(), cnn.Forward(images).ToArray());
            Assert.NotEqual([0f, 0, 0, 0, 0, 0, 0, 0], ((BatchNorm<float>)cnn.Layers[1]).RunningMean.ToArray());
        }
    }
}
