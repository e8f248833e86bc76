//! Writing a ZIM file in memory (see the module above for the layout).

use super::*;
use crate::pack::manifest::check_name;
use md5::{Digest, Md5};
use std::collections::BTreeMap;

/// The first four bytes of every ZIM file (`ZIM\x04`).
/// Writes a ZIM file of `pages` in memory. `main` is the path of the main page (one of
/// `pages`); `uuid` identifies this very content (derive it from the content's hash).
pub fn write(pages: &[Page], main: &str, metadata: &Metadata, uuid: [u8; 16]) -> Result<Vec<u8>, String> {
    let mut entries: Vec<Entry> = Vec::with_capacity(pages.len() + 16);
    let mut counter: BTreeMap<&str, usize> = BTreeMap::new();
    for page in pages {
        check_name(page.path).map_err(|why| crate::msg!("zim.cannot-store", path = page.path, why))?;
        let mime = mime_of(page.path);
        *counter.entry(mime).or_default() += 1;
        entries.push(Entry {
            namespace: b'C',
            path: page.path.to_string(),
            title: page.title.unwrap_or_default().to_string(),
            front: page.title.is_some(),
            body: Body::Data { mime, data: page.data.into(), compress: compressible(mime) },
        });
    }
    if !pages.iter().any(|p| p.path == main) {
        return Err(format!("the main page \"{main}\" is not among the files"));
    }
    let counter = counter.iter().map(|(mime, n)| format!("{mime}={n}")).collect::<Vec<_>>().join(";").into_bytes();
    let texts: [(&str, &[u8]); 10] = [
        ("Counter", &counter),
        ("Creator", metadata.creator.as_bytes()),
        ("Date", metadata.date.as_bytes()),
        ("Description", metadata.description.as_bytes()),
        ("Language", metadata.language.as_bytes()),
        ("Name", metadata.name.as_bytes()),
        ("Publisher", metadata.publisher.as_bytes()),
        ("Scraper", concat!("hoclieu ", env!("CARGO_PKG_VERSION")).as_bytes()),
        ("Tags", metadata.tags.as_bytes()),
        ("Title", metadata.title.as_bytes()),
    ];
    let long = metadata.long_description.as_deref().map(|d| ("LongDescription", d.as_bytes()));
    for (name, value) in texts.into_iter().chain(long) {
        entries.push(Entry {
            namespace: b'M',
            path: name.into(),
            title: String::new(),
            front: false,
            body: Body::Data { mime: "text/plain", data: value.to_vec().into(), compress: true },
        });
    }
    entries.push(Entry {
        namespace: b'M',
        path: "Illustration_48x48@1".into(),
        title: String::new(),
        front: false,
        body: Body::Data { mime: "image/png", data: metadata.illustration.as_slice().into(), compress: false },
    });
    entries.push(Entry {
        namespace: b'W',
        path: "mainPage".into(),
        title: String::new(),
        front: false,
        body: Body::Redirect(main.to_string()),
    });
    for version in ["v0", "v1"] {
        entries.push(Entry {
            namespace: b'X',
            path: format!("listing/titleOrdered/{version}"),
            title: String::new(),
            front: false,
            // filled below, once every entry has its index
            body: Body::Data { mime: LISTING_MIME, data: Vec::new().into(), compress: false },
        });
    }
    entries.sort_by(|a, b| (a.namespace, a.path.as_str()).cmp(&(b.namespace, b.path.as_str())));
    if let Some(twice) = entries.windows(2).find(|w| (w[0].namespace, &w[0].path) == (w[1].namespace, &w[1].path)) {
        return Err(format!("\"{}\" appears twice", twice[0].path));
    }
    fn find(entries: &[Entry], namespace: u8, path: &str) -> Option<usize> {
        entries.binary_search_by(|e| (e.namespace, e.path.as_str()).cmp(&(namespace, path))).ok()
    }
    let index_of = |namespace: u8, path: &str| find(&entries, namespace, path);
    let redirects: Vec<Option<u32>> = entries
        .iter()
        .map(|e| match &e.body {
            Body::Redirect(target) => index_of(b'C', target).map(|i| i as u32),
            Body::Data { .. } => None,
        })
        .collect();
    let main_index = index_of(b'W', "mainPage").expect("added above") as u32;

    // title listings: (namespace, title) order, ties by path (the entries' order)
    let mut by_title: Vec<u32> = (0..entries.len() as u32).collect();
    by_title.sort_by(|&a, &b| {
        let (a, b) = (&entries[a as usize], &entries[b as usize]);
        (a.namespace, a.sort_title()).cmp(&(b.namespace, b.sort_title()))
    });
    let listing = |indexes: &mut dyn Iterator<Item = &u32>| indexes.flat_map(|i| i.to_le_bytes()).collect::<Vec<u8>>();
    let v0 = listing(&mut by_title.iter());
    let v1 = listing(&mut by_title.iter().filter(|&&i| entries[i as usize].front));
    for (path, data) in [("listing/titleOrdered/v0", v0), ("listing/titleOrdered/v1", v1)] {
        let i = find(&entries, b'X', path).expect("added above");
        entries[i].body = Body::Data { mime: LISTING_MIME, data: data.into(), compress: false };
    }

    // MIME types, sorted
    let mimes: Vec<&str> = {
        let mut set: Vec<&str> = entries
            .iter()
            .filter_map(|e| match &e.body {
                Body::Data { mime, .. } => Some(*mime),
                Body::Redirect(_) => None,
            })
            .collect();
        set.sort_unstable();
        set.dedup();
        set
    };

    // clusters: compressed ones first, in path order, then the stored ones
    let mut clusters: Vec<(bool, Vec<usize>)> = Vec::new();
    let mut place: Vec<(u32, u32)> = vec![(0, 0); entries.len()];
    for wanted in [true, false] {
        let mut current: Vec<usize> = Vec::new();
        let mut size = 0usize;
        for (i, entry) in entries.iter().enumerate() {
            let Body::Data { data, compress, .. } = &entry.body else { continue };
            if *compress != wanted {
                continue;
            }
            if !current.is_empty() && size + data.len() > CLUSTER_SIZE {
                clusters.push((wanted, std::mem::take(&mut current)));
                size = 0;
            }
            place[i] = (clusters.len() as u32, current.len() as u32);
            current.push(i);
            size += data.len();
        }
        if !current.is_empty() {
            clusters.push((wanted, current));
        }
    }
    let mut cluster_bytes: Vec<Vec<u8>> = Vec::with_capacity(clusters.len());
    // where the v0 listing's bytes start inside its cluster
    let mut v0_at: Option<(usize, u64)> = None;
    let v0_index = find(&entries, b'X', "listing/titleOrdered/v0").expect("added above");
    for (n, (compress, members)) in clusters.iter().enumerate() {
        let blobs: Vec<&[u8]> = members
            .iter()
            .map(|&i| match &entries[i].body {
                Body::Data { data, .. } => data.as_ref(),
                Body::Redirect(_) => unreachable!("redirects have no blob"),
            })
            .collect();
        let total: usize = blobs.iter().map(|b| b.len()).sum();
        let extended = total + 4 * (blobs.len() + 1) > u32::MAX as usize;
        let width = if extended { 8 } else { 4 };
        let mut raw = Vec::with_capacity(total + width * (blobs.len() + 1));
        let mut offset = (width * (blobs.len() + 1)) as u64;
        let mut starts = Vec::with_capacity(blobs.len() + 1);
        for blob in &blobs {
            starts.push(offset);
            offset += blob.len() as u64;
        }
        starts.push(offset);
        for start in &starts {
            if extended {
                raw.extend(start.to_le_bytes());
            } else {
                raw.extend((*start as u32).to_le_bytes());
            }
        }
        for blob in &blobs {
            raw.extend_from_slice(blob);
        }
        if let Some(pos) = members.iter().position(|&i| i == v0_index) {
            v0_at = Some((n, 1 + starts[pos]));
        }
        let flag = if extended { EXTENDED } else { 0 };
        let bytes = if *compress {
            let packed = zstd::bulk::compress(&raw, ZSTD_LEVEL).map_err(|e| format!("zstd: {e}"))?;
            let mut out = Vec::with_capacity(packed.len() + 1);
            out.push(COMPRESSION_ZSTD | flag);
            out.extend(packed);
            out
        } else {
            let mut out = Vec::with_capacity(raw.len() + 1);
            out.push(COMPRESSION_NONE | flag);
            out.extend(raw);
            out
        };
        cluster_bytes.push(bytes);
    }

    // positions
    let mime_list: Vec<u8> = mimes.iter().flat_map(|m| m.bytes().chain([0])).chain([0]).collect();
    let dirent_size = |e: &Entry| {
        let fixed = if matches!(e.body, Body::Redirect(_)) { 12 } else { 16 };
        fixed + e.path.len() + 1 + e.title.len() + 1
    };
    let dirents_at = (HEADER_SIZE + mime_list.len()) as u64;
    let mut dirent_offsets = Vec::with_capacity(entries.len());
    let mut at = dirents_at;
    for entry in &entries {
        dirent_offsets.push(at);
        at += dirent_size(entry) as u64;
    }
    let url_ptr_pos = at;
    let cluster_ptr_pos = url_ptr_pos + 8 * entries.len() as u64;
    let mut cluster_offsets = Vec::with_capacity(cluster_bytes.len());
    let mut at = cluster_ptr_pos + 8 * cluster_bytes.len() as u64;
    for bytes in &cluster_bytes {
        cluster_offsets.push(at);
        at += bytes.len() as u64;
    }
    let checksum_pos = at;
    let (v0_cluster, v0_offset) = v0_at.expect("the v0 listing has a blob");
    let title_ptr_pos = cluster_offsets[v0_cluster] + v0_offset;

    let mut out = Vec::with_capacity(checksum_pos as usize + 16);
    out.extend(MAGIC.to_le_bytes());
    out.extend(6u16.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(uuid);
    out.extend((entries.len() as u32).to_le_bytes());
    out.extend((cluster_bytes.len() as u32).to_le_bytes());
    out.extend(url_ptr_pos.to_le_bytes());
    out.extend(title_ptr_pos.to_le_bytes());
    out.extend(cluster_ptr_pos.to_le_bytes());
    out.extend((HEADER_SIZE as u64).to_le_bytes());
    out.extend(main_index.to_le_bytes());
    out.extend(NONE.to_le_bytes());
    out.extend(checksum_pos.to_le_bytes());
    debug_assert_eq!(out.len(), HEADER_SIZE);
    out.extend(&mime_list);
    for (i, entry) in entries.iter().enumerate() {
        match &entry.body {
            Body::Data { mime, .. } => {
                let mime = mimes.binary_search(mime).expect("listed above") as u16;
                out.extend(mime.to_le_bytes());
                out.extend([0, entry.namespace]);
                out.extend(0u32.to_le_bytes());
                out.extend(place[i].0.to_le_bytes());
                out.extend(place[i].1.to_le_bytes());
            }
            Body::Redirect(target) => {
                let to = redirects[i].ok_or_else(|| format!("redirect to \"{target}\", which is not stored"))?;
                out.extend(REDIRECT.to_le_bytes());
                out.extend([0, entry.namespace]);
                out.extend(0u32.to_le_bytes());
                out.extend(to.to_le_bytes());
            }
        }
        out.extend(entry.path.as_bytes());
        out.push(0);
        out.extend(entry.title.as_bytes());
        out.push(0);
    }
    for offset in &dirent_offsets {
        out.extend(offset.to_le_bytes());
    }
    for offset in &cluster_offsets {
        out.extend(offset.to_le_bytes());
    }
    for bytes in &cluster_bytes {
        out.extend(bytes);
    }
    debug_assert_eq!(out.len() as u64, checksum_pos);
    let digest = Md5::digest(&out);
    out.extend(digest);
    Ok(out)
}
