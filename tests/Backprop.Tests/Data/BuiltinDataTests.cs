using Backprop.Data;

namespace Backprop.Tests.Data;

public sealed class BuiltinDataTests
{
    [Fact]
    public void The_digits_set_has_1797_images_of_64_pixels_in_ten_classes()
    {
        DataSet digits = BuiltinData.LoadDigits();

        Assert.Equal(1797, digits.Rows);
        Assert.Equal(64, digits.FeatureCount);
        Assert.Equal([64], digits.InputShape);
        Assert.Equal(TaskKind.Classification, digits.Task);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], digits.ClassNames!);
        Assert.All(digits.Features, x => Assert.InRange(x, 0f, 16f));
        Assert.Equal(16f, digits.Features.Max());
        // The first image is a zero: 0,0,5,13,9,1,0,0,...
        Assert.Equal([0f, 0f, 5f, 13f, 9f, 1f, 0f, 0f], digits.Row(0)[..8].ToArray());
        Assert.Equal(0, digits.Labels![0]);
        for (int c = 0; c < 10; c++) Assert.InRange(digits.Labels.Count(l => l == c), 174, 183);
    }
}
