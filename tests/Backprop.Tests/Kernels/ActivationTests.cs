namespace Backprop.Tests.Kernels;

public sealed class ActivationTests
{
    [Fact]
    public void Every_activation_has_a_name_that_parses_back_to_it()
    {
        foreach (var activation in Enum.GetValues<Activation>())
        {
            Assert.True(ActivationNames.TryParse(activation.Name(), out var parsed));
            Assert.Equal(activation, parsed);
        }
    }

    [Fact]
    public void Naming_an_undefined_activation_says_the_value_is_not_an_activation() =>
        Assert.Equal("activation", Assert.Throws<ArgumentOutOfRangeException>(() => ((Activation)99).Name()).ParamName);
}
