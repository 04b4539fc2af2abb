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
}
