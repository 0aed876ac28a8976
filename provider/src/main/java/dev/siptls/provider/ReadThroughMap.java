package dev.siptls.provider;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A map that is another map except for three things: where the other map has no live value for a key,
 * {@link #get} returns what the loader makes for it, without storing it, or nothing; {@link #keySet} also lists the keys the
 * loader knows; and removing a key the other map does not hold (a loaded value's, whose holder invalidated it)
 * is reported.
 *
 * <p>Everything else (puts, iteration of values and entries, the delegate's own eviction) goes to the delegate
 * unchanged, so the cache that owns the delegate keeps working as before. Not thread-safe by itself: like the
 * delegate, it relies on its owner's lock.
 */
final class ReadThroughMap<K, V> implements Map<K, V> {

    private final Map<K, V> delegate;
    private final Predicate<V> live;
    private final Function<Object, V> loader;
    private final Supplier<List<K>> loadable;
    private final Consumer<Object> removedUnheld;

    /**
     * @param loadable      the keys the loader has values for, listed by {@link #keySet} after the delegate's
     * @param removedUnheld told of every key removed that the delegate did not hold
     */
    ReadThroughMap(Map<K, V> delegate, Predicate<V> live, Function<Object, V> loader, Supplier<List<K>> loadable,
                   Consumer<Object> removedUnheld) {
        this.delegate = delegate;
        this.live = live;
        this.loader = loader;
        this.loadable = loadable;
        this.removedUnheld = removedUnheld;
    }

    /**
     * The delegate's value if it is live, else the loader's (not stored), else nothing: a value that is not live
     * (past the owner's age bound, say) is never handed out. The delegate keeps it until its own eviction.
     */
    @Override
    public V get(Object key) {
        V cached = delegate.get(key);
        if (key == null || cached != null && live.test(cached)) {
            return cached;
        }
        return loader.apply(key);
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
        V removed = delegate.remove(key);
        if (removed == null && key != null) {
            removedUnheld.accept(key);
        }
        return removed;
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        delegate.putAll(m);
    }

    @Override
    public void clear() {
        delegate.clear();
    }

    /** The delegate's keys, then the loadable ones it lacks; a snapshot, not a view. */
    @Override
    public Set<K> keySet() {
        Set<K> keys = new LinkedHashSet<>(delegate.keySet());
        keys.addAll(loadable.get());
        return Collections.unmodifiableSet(keys);
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
