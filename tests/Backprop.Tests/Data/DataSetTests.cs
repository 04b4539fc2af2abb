using Backprop.Data;

namespace Backprop.Tests.Data;

public sealed class DataSetTests
{
    [Fact]
    public void A_subset_copies_the_chosen_rows_in_order()
    {
        DataSet data = DataSet.Classification([1, 2, 3, 4, 5, 6], 3, ["a", "b"], [2], [0, 1, 0], ["p", "q"]);

        DataSet subset = data.Subset([2, 0]);

        Assert.Equal([5f, 6f, 1f, 2f], subset.Features);
        Assert.Equal([0, 0], subset.Labels!);
        Assert.Same(data.ClassNames, subset.ClassNames);
        subset.Features[0] = 99;
        Assert.Equal(5f, data.Features[4]);
    }

    [Fact]
    public void The_constructors_reject_inconsistent_shapes()
    {
        Assert.Throws<ArgumentException>(() => DataSet.Unlabelled([1, 2, 3], 2, ["a", "b"], [2]));
        Assert.Throws<ArgumentException>(() => DataSet.Unlabelled([1, 2, 3, 4], 2, ["a", "b"], [3]));
        Assert.Throws<ArgumentException>(() => DataSet.Classification([1, 2], 2, ["a"], [1], [0, 2], ["p", "q"]));
        Assert.Throws<ArgumentException>(() => DataSet.Regression([1, 2], 2, ["a"], [1], [0f]));
    }
}
