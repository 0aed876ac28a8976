package dev.siptls.provider;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A map that is another map except for {@link #get}: where the other map has no live value for a key,
 * {@code get} returns what the loader makes for it, without storing it.
 *
 * <p>Everything else (puts, removals, iteration, the delegate's own eviction) goes to the delegate
 * unchanged, so the cache that owns the delegate keeps working as before. Not thread-safe by itself:
 * like the delegate, it relies on its owner's lock.
 */
final class ReadThroughMap<K, V> implements Map<K, V> {

    private final Map<K, V> delegate;
    private final Predicate<V> live;
    private final Function<Object, V> loader;

    ReadThroughMap(Map<K, V> delegate, Predicate<V> live, Function<Object, V> loader) {
        this.delegate = delegate;
        this.live = live;
        this.loader = loader;
    }

    /** The delegate's value if it is live, else the loader's (not stored), else the delegate's. */
    @Override
    public V get(Object key) {
        V cached = delegate.get(key);
        if (key == null || cached != null && live.test(cached)) {
            return cached;
        }
        V loaded = loader.apply(key);
        return loaded != null ? loaded : cached;
    }

    @Override
    public int size() {
        return delegate.size();
    }

    @Override
    public boolean isEmpty() {
        return delegate.isEmpty();
    }

    @Override
    public boolean containsKey(Object key) {
        return delegate.containsKey(key);
    }

    @Override
    public boolean containsValue(Object value) {
        return delegate.containsValue(value);
    }

    @Override
    public V put(K key, V value) {
        return delegate.put(key, value);
    }

    @Override
    public V remove(Object key) {
        return delegate.remove(key);
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        delegate.putAll(m);
    }

    @Override
    public void clear() {
        delegate.clear();
    }

    @Override
    public Set<K> keySet() {
        return delegate.keySet();
    }

    @Override
    public Collection<V> values() {
        return delegate.values();
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return delegate.entrySet();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || delegate.equals(o);
    }

    @Override
    public int hashCode() {
        return delegate.hashCode();
    }

    @Override
    public String toString() {
        return "ReadThroughMap" + delegate.keySet();
    }
}
