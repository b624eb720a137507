using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace SymbolicGrad.Internal;

/// <summary>
/// The checks <see cref="List{T}"/> makes, for the lists a generated gradient holds as an array and a count (a
/// <c>List&lt;double&gt;</c> the method builds with Add): an index past the count throws as the list's indexer does.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ListChecks
{
    /// <summary>Returns <paramref name="index"/> when it is in [0, <paramref name="count"/>); throws as List&lt;T&gt;'s indexer does otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Index(int index, int count)
    {
        if ((uint)index >= (uint)count)
        {
            Throw(index, count);
        }

        return index;
    }

    /// <summary>The capacity <c>new List&lt;T&gt;(capacity)</c> starts with; throws as that constructor does when it is negative.</summary>
    public static int Capacity(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        return capacity;
    }

    /// <summary>The capacity a list grows to when it is full: twice its length, at least 4, as List&lt;T&gt; grows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Grown(int length) => length == 0 ? 4 : (int)Math.Min(2L * length, Array.MaxLength);

    private static void Throw(int index, int count) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, "Index was out of range. Must be non-negative and less than the size of the collection (" + count.ToString(System.Globalization.CultureInfo.InvariantCulture) + ").");
}

/// <summary>
/// The checks <c>Enumerable.Range</c> and <c>Enumerable.Repeat</c> make, for the sequences a generated gradient lowers to
/// loops: a negative count, or a range past <see cref="int.MaxValue"/>, throws as they do.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class EnumerableChecks
{
    /// <summary>Returns <paramref name="count"/>; throws as <c>Enumerable.Range(start, count)</c> does when it is negative or the range passes int.MaxValue.</summary>
    public static int Range(int start, int count)
    {
        if (count < 0 || (long)start + count - 1 > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Specified argument was out of the range of valid values.");
        }

        return count;
    }

    /// <summary>Returns <paramref name="size"/>; throws as <c>Enumerable.Chunk(source, size)</c> does when it is below 1.</summary>
    public static int Chunk(int size)
    {
        if (size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "Specified argument was out of the range of valid values.");
        }

        return size;
    }

    /// <summary>Returns <paramref name="count"/>; throws as <c>Enumerable.Repeat(element, count)</c> does when it is negative.</summary>
    public static int Repeat(int count)
    {
        if (count < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Specified argument was out of the range of valid values.");
        }

        return count;
    }

    /// <summary>
    /// The checks of <c>Array.Copy(source, sourceIndex, destination, destinationIndex, length)</c> on the lengths: a
    /// negative index or length throws ArgumentOutOfRangeException, a range past the end of either array ArgumentException.
    /// </summary>
    public static void ArrayCopy(int sourceLength, int sourceIndex, int destinationLength, int destinationIndex, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(destinationIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if ((long)sourceIndex + length > sourceLength)
        {
            throw new ArgumentException("Source array was not long enough. Check the source index, length, and the array's lower bounds.", nameof(sourceIndex));
        }

        if ((long)destinationIndex + length > destinationLength)
        {
            throw new ArgumentException("Destination array was not long enough. Check the destination index, length, and the array's lower bounds.", nameof(destinationIndex));
        }
    }
}
