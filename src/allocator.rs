//! One allocator chosen per command: the system's until `use_mimalloc`, mimalloc after.
//! A block is freed (or grown) by the allocator that owns it, so what was allocated before
//! the switch is still freed by the system allocator.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

static MIMALLOC: AtomicBool = AtomicBool::new(false);

/// The alignment every mimalloc block has (its size classes are whole words).
const WORD: usize = std::mem::size_of::<usize>();

/// New blocks come from mimalloc from now on.
pub fn use_mimalloc() {
    MIMALLOC.store(true, Relaxed);
}

/// Which allocator a command runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    System,
    /// mimalloc committing its arena up front (fewer page faults for a run that keeps
    /// allocating: the template engine, a large Lambda output).
    Mimalloc,
    /// mimalloc committing memory as it is used: for a run that frees what it read part by
    /// part (a large export), as fast and 20-30 MB smaller.
    MimallocCommittingLazily,
}

/// mimalloc's `mi_option_arena_eager_commit` (the fifth option of `mi_option_e` in its
/// v3 `mimalloc.h`; a unit test reads its documented default, 2, back).
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// `APIGW_DOCTOR_ALLOCATOR=system|mimalloc` decides for every command (benchmarks
/// compare the two on one binary; `mimalloc` keeps the command's own way of committing
/// when it has one); unset or anything else, `choice` does. Call it before any thread
/// starts and before mimalloc's first block.
pub fn choose(choice: Choice) {
    let chosen = match std::env::var_os("APIGW_DOCTOR_ALLOCATOR").as_deref() {
        Some(v) if v == "mimalloc" && choice == Choice::System => Choice::Mimalloc,
        Some(v) if v == "system" => Choice::System,
        _ => choice,
    };
    if chosen == Choice::MimallocCommittingLazily {
        // Safety: sets one of mimalloc's options before it is first read.
        unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0) };
    }
    if chosen != Choice::System {
        use_mimalloc();
    }
}

/// Asks the kernel to back the whole 2 MiB pages inside `buf`'s allocation with transparent
/// huge pages (honoured where THP is enabled, or in `madvise` mode as here). For a buffer
/// about to be filled whole, such as a file read into it: it is then faulted in 2 MiB at a
/// time instead of 4 KiB (a 6 MB Lambda output: 1,500 page faults fewer), and costs no
/// memory more, since every page of it is used. mimalloc asks the same of its whole arena,
/// used or not.
pub fn advise_huge_pages(buf: &mut Vec<u8>) {
    #[cfg(target_os = "linux")]
    if let Some((from, len)) = whole_huge_pages(buf.as_mut_ptr() as usize, buf.capacity()) {
        // Safety: advice on memory the Vec owns; MADV_HUGEPAGE changes none of it. A kernel
        // that refuses (THP off) leaves it as it was, which is fine.
        unsafe { libc::madvise(from as *mut libc::c_void, len, libc::MADV_HUGEPAGE) };
    }
}

/// The 2 MiB pages wholly inside `len` bytes from `start`: where they begin, and their length.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn whole_huge_pages(start: usize, len: usize) -> Option<(usize, usize)> {
    const HUGE: usize = 2 << 20;
    let (from, to) = (start.next_multiple_of(HUGE), (start + len) / HUGE * HUGE);
    (to > from).then(|| (from, to - from))
}

/// The lowest and highest address of a block the system allocator gave: outside them a
/// block is mimalloc's without asking it (most of a run's blocks, and frees, are).
static SYSTEM_LOW: AtomicUsize = AtomicUsize::new(usize::MAX);
static SYSTEM_HIGH: AtomicUsize = AtomicUsize::new(0);

fn system_gave(p: *mut u8) -> *mut u8 {
    if !p.is_null() {
        SYSTEM_LOW.fetch_min(p as usize, Relaxed);
        SYSTEM_HIGH.fetch_max(p as usize, Relaxed);
    }
    p
}

fn mimalloc_owns(p: *mut u8) -> bool {
    let at = p as usize;
    if !MIMALLOC.load(Relaxed) {
        // Never switched: every block is the system's.
        return false;
    }
    if at < SYSTEM_LOW.load(Relaxed) || at > SYSTEM_HIGH.load(Relaxed) {
        return true;
    }
    // Safety: mimalloc only reads its own page map.
    unsafe { libmimalloc_sys::mi_is_in_heap_region(p.cast()) }
}

pub struct Chosen;

// Safety: every call goes to one of two sound allocators, and a block always goes back
// to the allocator whose region holds it.
unsafe impl GlobalAlloc for Chosen {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if MIMALLOC.load(Relaxed) {
            if layout.align() <= WORD {
                // Every mimalloc block is word-aligned: its plain (faster) entry point.
                unsafe { libmimalloc_sys::mi_malloc(layout.size()).cast() }
            } else {
                unsafe { mimalloc::MiMalloc.alloc(layout) }
            }
        } else {
            system_gave(unsafe { System.alloc(layout) })
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if MIMALLOC.load(Relaxed) {
            if layout.align() <= WORD {
                unsafe { libmimalloc_sys::mi_zalloc(layout.size()).cast() }
            } else {
                unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
            }
        } else {
            system_gave(unsafe { System.alloc_zeroed(layout) })
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        if mimalloc_owns(p) {
            unsafe { libmimalloc_sys::mi_free(p.cast()) }
        } else {
            unsafe { System.dealloc(p, layout) }
        }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        if mimalloc_owns(p) {
            if layout.align() <= WORD {
                unsafe { libmimalloc_sys::mi_realloc(p.cast(), size).cast() }
            } else {
                unsafe { mimalloc::MiMalloc.realloc(p, layout, size) }
            }
        } else {
            system_gave(unsafe { System.realloc(p, layout, size) })
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn huge_pages_are_advised_only_wholly_inside_the_buffer() {
        const M: usize = 1 << 20;
        assert_eq!(whole_huge_pages(0, 0), None);
        assert_eq!(whole_huge_pages(4096, 3 * M), None);
        // Smaller than one page, and empty (a Vec's dangling pointer): none, no overflow.
        assert_eq!(whole_huge_pages(4096, 100), None);
        assert_eq!(whole_huge_pages(1, 0), None);
        advise_huge_pages(&mut Vec::new());
        assert_eq!(whole_huge_pages(4096, 4 * M), Some((2 * M, 2 * M)));
        assert_eq!(whole_huge_pages(2 * M, 2 * M), Some((2 * M, 2 * M)));
        assert_eq!(whole_huge_pages(2 * M, 2 * M - 1), None);
        assert_eq!(whole_huge_pages(16, 6 * M + 100), Some((2 * M, 4 * M)));
        // A buffer advised and then filled reads back what was written.
        let mut buf = Vec::with_capacity(6 * M);
        advise_huge_pages(&mut buf);
        buf.extend((0..6 * M).map(|i| (i % 251) as u8));
        assert!(buf.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
    }

    use super::*;

    #[test]
    fn the_arena_commit_option_is_the_one_mimalloc_documents() {
        // Documented default: 2 ("enable just on overcommit systems").
        assert_eq!(
            unsafe { libmimalloc_sys::mi_option_get(ARENA_EAGER_COMMIT) },
            2
        );
    }

    /// Blocks from before the switch stay the system's (grown and freed by it), blocks
    /// after it are mimalloc's, alignment is kept either way, and contents survive a grow.
    #[test]
    fn each_block_goes_back_to_its_own_allocator() {
        let chosen = Chosen;
        let small = Layout::from_size_align(64, 8).unwrap();
        let aligned = Layout::from_size_align(64, 64).unwrap();
        unsafe {
            let before = chosen.alloc(small);
            before.write_bytes(7, 64);
            assert!(!mimalloc_owns(before));
            use_mimalloc();
            let after = chosen.alloc(small);
            after.write_bytes(9, 64);
            assert!(mimalloc_owns(after));
            assert!(!mimalloc_owns(before), "a system block stays the system's");
            let wide = chosen.alloc_zeroed(aligned);
            assert_eq!(wide as usize % 64, 0);
            assert!(std::slice::from_raw_parts(wide, 64).iter().all(|&b| b == 0));
            let before = chosen.realloc(before, small, 4096);
            assert!(!mimalloc_owns(before));
            assert!(
                std::slice::from_raw_parts(before, 64)
                    .iter()
                    .all(|&b| b == 7)
            );
            let after = chosen.realloc(after, small, 4096);
            assert!(mimalloc_owns(after));
            assert!(
                std::slice::from_raw_parts(after, 64)
                    .iter()
                    .all(|&b| b == 9)
            );
            let grown = Layout::from_size_align(4096, 8).unwrap();
            chosen.dealloc(before, grown);
            chosen.dealloc(after, grown);
            chosen.dealloc(wide, aligned);
        }
    }
}
