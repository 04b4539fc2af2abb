namespace Backprop.Bench;

internal static class GemmVersusTorch
{
    public static int Run(string[] args) => throw new NotImplementedException();
}
