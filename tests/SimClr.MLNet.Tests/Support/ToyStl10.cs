using SimClr.MLNet.Data;

namespace SimClr.MLNet.Tests.Support;

/// <summary>
/// A separable toy task in the official STL-10 layout: three classes whose images are dominated by red, green or
/// blue, with noise and a random square of another colour.
/// </summary>
public static class ToyStl10
{
    public static readonly string[] ClassNames = ["red", "green", "blue"];

    public static byte[] Image(int index, int label, int seed)
    {
        var random = new Random(seed * 100_003 + index);
        const int size = Stl10Format.ImageSize;
        var planes = new byte[3 * size * size];
        int x0 = random.Next(size - 30), y0 = random.Next(size - 30);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    bool inSquare = x >= x0 && x < x0 + 30 && y >= y0 && y < y0 + 30;
                    int baseValue = inSquare ? 128 : c == label ? 200 : 50;
                    planes[(c * size + y) * size + x] = (byte)Math.Clamp(baseValue + random.Next(-40, 41), 0, 255);
                }
        return planes;
    }

    public static void Write(string directory, int train, int test, int unlabeled)
    {
        Stl10Writer.WriteClassNames(directory, ClassNames);
        Stl10Writer.WriteSplit(directory, Stl10Split.Train, Enumerable.Range(0, train).Select(i => Image(i, i % 3, 1)),
            Enumerable.Range(0, train).Select(i => (byte)(i % 3 + 1)));
        Stl10Writer.WriteSplit(directory, Stl10Split.Test, Enumerable.Range(0, test).Select(i => Image(i, i % 3, 2)),
            Enumerable.Range(0, test).Select(i => (byte)(i % 3 + 1)));
        Stl10Writer.WriteSplit(directory, Stl10Split.Unlabeled, Enumerable.Range(0, unlabeled).Select(i => Image(i, i % 3, 3)));
    }
}
