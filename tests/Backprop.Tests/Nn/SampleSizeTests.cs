using Backprop.Nn;

namespace Backprop.Tests.Nn;

public sealed class SampleSizeTests
{
    [Fact]
    public void A_window_over_an_image_gives_the_sizes_pytorch_gives()
    {
        // Conv2d(3, 16, kernel_size=3, stride=2, padding=1) on 3×28×28: 16×14×14; MaxPool2d(2) on 16×14×14: 16×7×7.
        Assert.Equal([16L, 14, 14], SampleSize.AfterWindows([3, 28, 28], outChannels: 16, kernel: 3, stride: 2, padding: 1));
        Assert.Equal([16L, 7, 7], SampleSize.AfterWindows([16, 14, 14], outChannels: 16, kernel: 2, stride: 2, padding: 0));
    }

    [Fact]
    public void A_convolution_is_refused_for_its_output_first_then_for_its_unfolded_image()
    {
        long[] huge = SampleSize.AfterWindows([1, 28, 28], outChannels: 100_000, kernel: 3, stride: 1, padding: 1);
        Assert.StartsWith("gives each sample an output of [100000, 28, 28]", SampleSize.ConvolutionProblem([1, 28, 28], 3, huge));

        // 100,000 channels × 3² rows by 100×100 positions: a small output, an unfolded image past one array.
        long[] image = [100_000, 100, 100];
        Assert.StartsWith("it unfolds each image into 900,000 × 10,000 values", SampleSize.ConvolutionProblem(image, 3, [1, 100, 100]) ?? "");
        Assert.Null(SampleSize.ConvolutionProblem([3, 28, 28], 3, [16, 28, 28]));
    }
}
