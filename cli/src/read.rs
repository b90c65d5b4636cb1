//! `ghpkg packages …` and `ghpkg versions …`: the read commands.

use clap::{Args, Subcommand};
use ghpkg::{Owner, PackageType, VersionState, Visibility};

use crate::output::{print, print_listing, Format};
use crate::{exit, Connection};

/// Whose packages.
#[derive(Args, Debug, Clone)]
pub(crate) struct OwnerArgs {
    /// An organization's packages.
    #[arg(long, conflicts_with = "user")]
    pub org: Option<String>,
    /// A user's packages (neither: the authenticated user's).
    #[arg(long)]
    pub user: Option<String>,
}

impl OwnerArgs {
    pub(crate) fn owner(&self) -> ghpkg::Result<Owner> {
        Owner::from_org_or_user(self.org.clone(), self.user.clone())
    }
}

#[derive(Subcommand, Debug)]
pub(crate) enum PackagesCommand {
    /// List the packages of one type.
    List {
        #[command(flatten)]
        owner: OwnerArgs,
        /// container, npm, maven, rubygems, nuget or docker.
        #[arg(long = "type", value_name = "TYPE")]
        package_type: PackageType,
        /// public, private or internal.
        #[arg(long)]
        visibility: Option<Visibility>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Show one package.
    Get {
        /// The package name (container names may contain '/').
        name: String,
        #[command(flatten)]
        owner: OwnerArgs,
        #[arg(long = "type", value_name = "TYPE")]
        package_type: PackageType,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum VersionsCommand {
    /// List a package's versions.
    List {
        /// The package name.
        name: String,
        #[command(flatten)]
        owner: OwnerArgs,
        #[arg(long = "type", value_name = "TYPE")]
        package_type: PackageType,
        /// active (default) or deleted (restorable for 30 days).
        #[arg(long)]
        state: Option<VersionState>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Show one version.
    Get {
        /// The package name.
        name: String,
        /// The version id.
        id: u64,
        #[command(flatten)]
        owner: OwnerArgs,
        #[arg(long = "type", value_name = "TYPE")]
        package_type: PackageType,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

const PACKAGE_COLUMNS: &[(&str, &str)] = &[
    ("ID", "id"),
    ("NAME", "name"),
    ("TYPE", "package_type"),
    ("VISIBILITY", "visibility"),
    ("VERSIONS", "version_count"),
    ("REPOSITORY", "repository.full_name"),
    ("UPDATED", "updated_at"),
];

const VERSION_COLUMNS: &[(&str, &str)] = &[
    ("ID", "id"),
    ("NAME", "name"),
    ("TAGS", "metadata.container.tags"),
    ("CREATED", "created_at"),
    ("UPDATED", "updated_at"),
    ("DELETED", "deleted_at"),
];

pub(crate) async fn packages(conn: &Connection, cmd: PackagesCommand) -> ghpkg::Result<u8> {
    let client = conn.client()?;
    match cmd {
        PackagesCommand::List {
            owner,
            package_type,
            visibility,
            format,
        } => {
            let listing = client.list_packages(&owner.owner()?, package_type, visibility);
            let limit = listing.paging_limit();
            print_listing(listing, format, PACKAGE_COLUMNS).await?;
            if limit.reached() {
                eprintln!(
                    "ghpkg: GitHub lists at most {} packages; filter by --visibility to see the rest",
                    ghpkg::MAX_PAGED_ITEMS
                );
            }
        }
        PackagesCommand::Get {
            name,
            owner,
            package_type,
            format,
        } => {
            let p = client
                .get_package(&owner.owner()?, package_type, &name)
                .await?;
            print(&[p], format, PACKAGE_COLUMNS, true);
        }
    }
    Ok(exit::OK)
}

pub(crate) async fn versions(conn: &Connection, cmd: VersionsCommand) -> ghpkg::Result<u8> {
    let client = conn.client()?;
    match cmd {
        VersionsCommand::List {
            name,
            owner,
            package_type,
            state,
            format,
        } => {
            print_listing(
                client.list_versions(&owner.owner()?, package_type, &name, state),
                format,
                VERSION_COLUMNS,
            )
            .await?;
        }
        VersionsCommand::Get {
            name,
            id,
            owner,
            package_type,
            format,
        } => {
            let v = client
                .get_version(&owner.owner()?, package_type, &name, id)
                .await?;
            print(&[v], format, VERSION_COLUMNS, true);
        }
    }
    Ok(exit::OK)
}
